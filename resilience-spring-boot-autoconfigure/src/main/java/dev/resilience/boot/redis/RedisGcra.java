package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Rate-limit decisions taken atomically in Redis by Lua scripts: GCRA (a token bucket
 * refilled continuously) on one key per bucket holding its theoretical arrival time, with
 * the time read from Redis ({@code TIME}) so that the clocks of the application's
 * instances do not matter. One round trip per decision ({@code EVALSHA}; {@code EVAL}
 * once after Redis lost its script cache).
 * <p>
 * <b>The scripts.</b> {@link #DECIDE} takes a decision: it reads the instance's
 * configuration hash (the rate, capacity, timeout and {@code max-keys} in force for every
 * application instance), stores the caller's last known configuration in it when Redis
 * lost it, refuses a new key when the instance's set of live keys holds {@code max-keys}
 * buckets that have not refilled, and answers with the configuration it used, so that
 * each decision keeps the caller's view of it current. {@link #GIVE_BACK} gives permits
 * back (see {@link RedisRateLimiter}), {@link #CONFIGURE} writes the configuration. A
 * bucket's key expires when it has refilled, so Redis keeps only buckets that differ from
 * a new one.
 * <p>
 * <b>Connection and threading.</b> One connection from the application's
 * {@link RedisConnectionFactory} serves every decision: it is taken once, its native
 * asynchronous commands kept in a volatile field, so that a decision takes no lock,
 * creates no connection wrapper and never connects on the caller's thread (the factory's
 * {@code getConnection()} locks, and connects while holding the lock for as long as the
 * client's timeouts allow). Opening it is an attempt on a thread of its own: take the
 * connection, {@code SCRIPT LOAD} the scripts, run one decision that takes nothing.
 * {@link #warmUp} starts it when the first Redis-backed limiter is made; a decision that
 * finds no open connection joins the attempt in flight (or starts one, at most one a
 * second after a failure) and waits for it no longer than its own timeout. Once open, the
 * client reconnects by itself after an outage; while it is disconnected a decision fails
 * at once instead of queueing a command that Redis would run (and take permits for) after
 * its caller gave up. A connection that the factory closed is forgotten, and the next
 * decision opens another. {@link #close} interrupts an attempt in flight, which holds the
 * factory's lock, so that the factory can stop. Thread-safe.
 * <p>
 * <b>Late answers.</b> A command written to Redis runs even when its caller stopped
 * waiting for it: a decision that times out throws {@link Unanswered} with the answer to
 * come, so that the caller can give back what Redis grants after it gave up.
 */
final class RedisGcra implements AutoCloseable {

	/**
	 * The decision.
	 * <p>
	 * KEYS: the bucket, the configuration hash, and for a key's bucket the instance's set
	 * of live keys (members scored with the time their bucket is full again). ARGV: the
	 * caller's last known configuration (period and timeout in microseconds, limit, burst
	 * capacity, {@code max-keys}), its deployed configuration (see {@link #CONFIGURE}),
	 * the permits, {@code 1} if the caller may wait, and for a key's bucket the key.
	 * <p>
	 * A bucket's state is {@code tat:interval[:floor]}: its theoretical arrival time and
	 * the emission interval it was taken under (microseconds), and the arrival time that
	 * the last caller to wait for its permits was given, while that lies ahead (a give
	 * back never goes under it: see {@link #GIVE_BACK}).
	 * <p>
	 * Answer: outcome (1 granted, 0 rejected, -1 more permits than the capacity, -2 a new
	 * key refused by {@code max-keys}), the wait in microseconds (granted: before the
	 * permits fall due; rejected: until they could be had), the permits left, the state
	 * set and the state it replaced (for a give back; nil if none), the live keys (-1 if
	 * not counted), then the configuration used.
	 */
	static final Script DECIDE = new Script(
			"""
					local names = {'period', 'limit', 'burst', 'timeout', 'maxKeys'}
					local least = {1, 1, 0, 0, 1}
					local stored = redis.call('HMGET', KEYS[2], 'period', 'limit', 'burst', 'timeout', 'maxKeys', 'deployed')
					local conf = {}
					local missing = not stored[6]
					for i = 1, 5 do
					  local value = tonumber(stored[i])
					  if value and value >= least[i] then
					    conf[i] = value
					  else
					    conf[i] = tonumber(ARGV[i])
					    missing = true
					  end
					end
					local period, limit, burst, timeout, maxKeys = conf[1], conf[2], conf[3], conf[4], conf[5]
					local capacity = limit
					if burst > 0 then
					  capacity = burst
					end
					local permits = tonumber(ARGV[7])
					if permits > capacity then
					  return {-1, 0, capacity, false, false, -1, period, limit, burst, timeout, maxKeys}
					end
					if missing then
					  -- Redis lost the configuration (a restart, a flush, an eviction): it gets the
					  -- one this caller saw last, not the caller's own settings.
					  for i = 1, 5 do
					    if conf[i] ~= tonumber(stored[i]) then
					      redis.call('HSET', KEYS[2], names[i], ARGV[i])
					    end
					  end
					  if not stored[6] then
					    redis.call('HSET', KEYS[2], 'deployed', ARGV[6])
					  end
					end
					local maxWait = 0
					if ARGV[8] == '1' then
					  maxWait = timeout
					end
					local interval = period / limit
					local time = redis.call('TIME')
					local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
					local function state(tat, floor)
					  if floor > now then
					    return string.format('%.0f:%.17g:%.0f', tat, interval, floor)
					  end
					  return string.format('%.0f:%.17g', tat, interval)
					end
					local live = -1
					if KEYS[3] then
					  local score = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[9]) or 0)
					  if score <= now then
					    -- A key without a bucket that is refilling needs a place: forget the keys
					    -- whose buckets have refilled (each once), and refuse it if none is free.
					    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', string.format('%.0f', now))
					    live = redis.call('ZCARD', KEYS[3])
					    if live >= maxKeys then
					      return {-2, 0, 0, false, false, live, period, limit, burst, timeout, maxKeys}
					    end
					  end
					end
					local tat = now
					local floor = now
					local current = redis.call('GET', KEYS[1])
					if current then
					  local a = string.find(current, ':', 1, true)
					  local b = string.find(current, ':', a + 1, true)
					  local storedTat = tonumber(string.sub(current, 1, a - 1))
					  local storedInterval = tonumber(string.sub(current, a + 1, (b or 0) - 1))
					  -- Permits taken under another rate stay taken: the debt is kept in permits.
					  if storedTat > now then
					    tat = now + (storedTat - now) * interval / storedInterval
					  end
					  if b then
					    local storedFloor = tonumber(string.sub(current, b + 1))
					    if storedFloor > now then
					      floor = now + (storedFloor - now) * interval / storedInterval
					    end
					  end
					end
					local newTat = tat + permits * interval
					local wait = newTat - capacity * interval - now
					if wait > maxWait then
					  return {0, math.ceil(wait), math.floor((now + capacity * interval - tat) / interval), false, false, live,
					    period, limit, burst, timeout, maxKeys}
					end
					local previous = false
					if tat > now then
					  previous = state(tat, floor)
					end
					if wait > 0 then
					  floor = newTat
					end
					local set = state(newTat, floor)
					local ttl = string.format('%.0f', math.max(1, math.ceil((newTat - now) / 1000)))
					redis.call('SET', KEYS[1], set, 'PX', ttl)
					if KEYS[3] then
					  redis.call('ZADD', KEYS[3], string.format('%.0f', newTat), ARGV[9])
					  if redis.call('PTTL', KEYS[3]) < tonumber(ttl) then
					    redis.call('PEXPIRE', KEYS[3], ttl)
					  end
					  live = redis.call('ZCOUNT', KEYS[3], '(' .. string.format('%.0f', now), '+inf')
					end
					if wait < 0 then
					  wait = 0
					end
					return {1, math.ceil(wait), math.floor((now + capacity * interval - newTat) / interval), set, previous, live,
					  period, limit, burst, timeout, maxKeys}
					""");

	/**
	 * Gives permits back. KEYS: the bucket, and for a key's bucket the instance's set of
	 * live keys. ARGV: the state the decision set, the state it replaced ({@code ""} if
	 * the bucket was full), the permits, {@code 1} if the caller was to wait for them,
	 * and for a key's bucket the key. Answers {1} if they went back, else {0}.
	 * <p>
	 * While the decision is still the last one (the bucket holds the state it set), the
	 * bucket goes back to the state it replaced. Otherwise a caller that was to wait
	 * gives nothing back: others were given later slots behind it, and moving the state
	 * back would hand its slot to a new caller while they still use theirs. A decision
	 * granted at once gives back its permits as far as they have not refilled by now
	 * (those refilled since are in the bucket already), never under the slot of the last
	 * caller that waits: the callers granted at once after it took their permits when
	 * they were granted, so the bucket is then as if it had never taken them.
	 */
	static final Script GIVE_BACK = new Script(
			"""
					local time = redis.call('TIME')
					local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
					local function parse(state)
					  local a = string.find(state, ':', 1, true)
					  local b = string.find(state, ':', a + 1, true)
					  local floor = 0
					  if b then
					    floor = tonumber(string.sub(state, b + 1))
					  end
					  return tonumber(string.sub(state, 1, a - 1)), tonumber(string.sub(state, a + 1, (b or 0) - 1)), floor
					end
					local function put(tat, state)
					  if tat <= now then
					    redis.call('DEL', KEYS[1])
					    if KEYS[2] then
					      redis.call('ZREM', KEYS[2], ARGV[5])
					    end
					  else
					    redis.call('SET', KEYS[1], state, 'PX', string.format('%.0f', math.max(1, math.ceil((tat - now) / 1000))))
					    if KEYS[2] then
					      redis.call('ZADD', KEYS[2], string.format('%.0f', tat), ARGV[5])
					    end
					  end
					end
					local current = redis.call('GET', KEYS[1])
					if current == ARGV[1] then
					  if ARGV[2] == '' then
					    put(now, '')
					  else
					    put(parse(ARGV[2]), ARGV[2])
					  end
					  return {1}
					end
					if ARGV[4] == '1' or not current then
					  return {0}
					end
					local tat, interval, floor = parse(current)
					local setTat, setInterval = parse(ARGV[1])
					local back = math.min(tonumber(ARGV[3]), (setTat - now) / setInterval)
					if back <= 0 or tat <= now then
					  return {0}
					end
					local newTat = math.max(tat - back * interval, floor)
					if newTat >= tat then
					  return {0}
					end
					if floor > now then
					  put(newTat, string.format('%.0f:%.17g:%.0f', newTat, interval, floor))
					else
					  put(newTat, string.format('%.0f:%.17g', newTat, interval))
					end
					return {1}
					""");

	/**
	 * Writes the configuration. KEYS: the configuration hash. ARGV: the caller's deployed
	 * configuration (its settings from the application's properties, as one string),
	 * {@code 1} to deploy it, the five settings (as {@link #DECIDE} takes them), and for
	 * each a flag, {@code 1} to write it. Deploying writes every setting if the hash
	 * holds another deployed configuration (a deploy that changes a setting wins over
	 * run-time changes); otherwise only the flagged settings are written, and the others
	 * only where the hash lacks them. Answers the five settings the hash holds.
	 */
	static final Script CONFIGURE = new Script("""
			local names = {'period', 'limit', 'burst', 'timeout', 'maxKeys'}
			local overwrite = ARGV[2] == '1' and redis.call('HGET', KEYS[1], 'deployed') ~= ARGV[1]
			for i = 1, 5 do
			  if overwrite or ARGV[7 + i] == '1' then
			    redis.call('HSET', KEYS[1], names[i], ARGV[2 + i])
			  else
			    redis.call('HSETNX', KEYS[1], names[i], ARGV[2 + i])
			  end
			end
			if overwrite then
			  redis.call('HSET', KEYS[1], 'deployed', ARGV[1])
			else
			  redis.call('HSETNX', KEYS[1], 'deployed', ARGV[1])
			end
			return redis.call('HMGET', KEYS[1], 'period', 'limit', 'burst', 'timeout', 'maxKeys')
			""");

	private static final Script[] SCRIPTS = { DECIDE, GIVE_BACK, CONFIGURE };

	private static final byte[][] CONFIG_FIELDS = { bytes("period"), bytes("limit"), bytes("burst"), bytes("timeout"),
			bytes("maxKeys") };

	// A decision that takes nothing: more permits than any bucket holds, so the script
	// returns before it writes. Run once when connecting, it loads the same code paths
	// (EVALSHA, the multi-bulk answer) that the first real decision needs.
	private static final byte[][] WARM_UP_KEYS = { bytes("resilience:ratelimiter:{resilience-warm-up}:bucket"),
			bytes("resilience:ratelimiter:{resilience-warm-up}:config") };

	private static final byte[][] WARM_UP_ARGS = { bytes("1"), bytes("1"), bytes("1"), bytes("0"), bytes("1"),
			bytes(""), bytes("9007199254740992"), bytes("0") };

	// How long the connecting thread waits for each warm-up command: off the call path.
	private static final Duration WARM_UP_COMMAND_TIMEOUT = Duration.ofSeconds(10);

	// After a failed attempt, decisions fail at once for this long instead of starting a
	// new attempt each: a Redis that is down at startup costs no thread per call.
	private static final long RETRY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final AtomicInteger threads = new AtomicInteger();

	private final RedisConnectionFactory connectionFactory;

	// The connection in use, read by every decision; null until one is open.
	private volatile @Nullable Connected connected;

	// The last attempt to open one: in flight, succeeded (then connected is set) or
	// failed.
	private final AtomicReference<@Nullable Attempt> attempt = new AtomicReference<>();

	private volatile boolean closed;

	RedisGcra(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Opens the connection and loads the scripts, waiting at most {@code wait}; if that
	 * is not done by then it goes on in the background, and decisions wait for it at most
	 * their own timeout.
	 * @param wait how long to wait
	 * @return whether the connection is open and the scripts loaded
	 */
	boolean warmUp(Duration wait) {
		try {
			connection(System.nanoTime() + wait.toNanos(), wait);
			return true;
		}
		catch (Exception ex) {
			return false;
		}
	}

	/**
	 * Takes a decision with {@link #DECIDE}.
	 * @param keys the script's keys
	 * @param args the script's arguments
	 * @param timeout how long to wait for Redis, connecting included
	 * @return the decision
	 * @throws Unanswered if the command was sent and its answer is not there in time, or
	 * the thread was interrupted while waiting
	 * @throws Exception if Redis cannot be reached or failed
	 */
	Decision decide(byte[][] keys, byte[][] args, Duration timeout) throws Exception {
		// One deadline for everything a decision may wait for: the connection, the
		// command, and EVAL after a lost script cache.
		long deadline = System.nanoTime() + timeout.toNanos();
		Connected connected = openConnection(deadline, timeout);
		try {
			RedisFuture<List<Object>> answer = connected.commands()
				.evalsha(DECIDE.sha, ScriptOutputType.MULTI, keys, args);
			try {
				return Decision.of(awaitAnswer(answer, deadline, timeout));
			}
			catch (RedisNoScriptException ex) {
				// Redis restarted or flushed its script cache: EVAL loads the script
				// again.
				answer = connected.commands().eval(DECIDE.bytes, ScriptOutputType.MULTI, keys, args);
				return Decision.of(awaitAnswer(answer, deadline, timeout));
			}
		}
		catch (Exception ex) {
			forgetIfClosed(connected);
			throw ex;
		}
	}

	/**
	 * Runs a script without waiting for its answer ({@code EVAL} after a lost script
	 * cache).
	 * @param script the script
	 * @param keys its keys
	 * @param args its arguments
	 * @return its answer to come; failed at once if no connection is open
	 */
	CompletableFuture<List<Object>> run(Script script, byte[][] keys, byte[][] args) {
		Connected connected = this.connected;
		if (this.closed || connected == null || !connected.isOpen()) {
			return CompletableFuture.failedFuture(new RedisConnectionException("Redis is not connected"));
		}
		CompletableFuture<List<Object>> result = new CompletableFuture<>();
		connected.commands()
			.<List<Object>>evalsha(script.sha, ScriptOutputType.MULTI, keys, args)
			.whenComplete((answer, failure) -> {
				if (failure == null) {
					result.complete(answer);
				}
				else if (unwrap(failure) instanceof RedisNoScriptException) {
					connected.commands()
						.<List<Object>>eval(script.bytes, ScriptOutputType.MULTI, keys, args)
						.whenComplete((again, error) -> complete(result, again, error));
				}
				else {
					result.completeExceptionally(unwrap(failure));
				}
			});
		return result;
	}

	/**
	 * Reads the configuration hash.
	 * @param configKey the hash
	 * @param deadline the {@link System#nanoTime()} to wait until
	 * @return the five settings as {@link #CONFIGURE} answers them (a {@code null} for a
	 * missing one)
	 * @throws Exception if Redis did not answer in time, or failed
	 */
	List<byte @Nullable []> readConfig(byte[] configKey, long deadline) throws Exception {
		Connected connected = this.connected;
		if (this.closed || connected == null || !connected.isOpen()) {
			throw new RedisConnectionException("Redis is not connected");
		}
		List<KeyValue<byte[], byte[]>> values = await(connected.commands().hmget(configKey, CONFIG_FIELDS), deadline);
		return values.stream().map((value) -> value.getValueOrElse(null)).toList();
	}

	/**
	 * Waits until the connection is open, starting an attempt to open it if none is in
	 * flight.
	 * @param deadline the {@link System#nanoTime()} to wait until
	 * @throws Exception if it is not open by then, or the attempt failed
	 */
	void awaitConnection(long deadline) throws Exception {
		if (this.connected == null) {
			connection(deadline, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
		}
	}

	/**
	 * Tells whether a connection is open and connected now.
	 * @return {@code false} before the first connection and while the client reconnects
	 */
	boolean isConnected() {
		Connected connected = this.connected;
		return !this.closed && connected != null && connected.isOpen();
	}

	/**
	 * Stops: an attempt to connect in flight is interrupted (it holds the connection
	 * factory's lock while its client waits for Redis, which would keep the factory from
	 * stopping for as long as the client's timeouts), the connection is given back, and
	 * decisions fail from now on.
	 */
	@Override
	public void close() {
		this.closed = true;
		Attempt current = this.attempt.get();
		if (current != null && !current.future.isDone()) {
			current.thread.interrupt();
		}
		Connected open = this.connected;
		if (open != null) {
			this.connected = null;
			closeQuietly(open.connection());
		}
	}

	private Connected openConnection(long deadline, Duration timeout) throws Exception {
		if (this.closed) {
			throw new RedisConnectionException("The Redis rate limiters are stopped");
		}
		Connected connected = this.connected;
		if (connected != null && connected.isClosed()) {
			// The connection factory closed it for good (reset or stopped), which is not
			// a disconnection the client recovers from: open another.
			forget(connected);
			connected = null;
		}
		if (connected == null) {
			connected = connection(deadline, timeout);
		}
		if (!connected.isOpen()) {
			// Disconnected: the client reconnects in the background. A command sent now
			// would wait in the client's buffer and run whenever it reconnects, long
			// after
			// its caller gave up.
			throw new RedisConnectionException("Redis is disconnected; the client is reconnecting");
		}
		return connected;
	}

	/**
	 * Returns the open connection, starting an attempt to open one if none is in flight,
	 * and waiting for it until the deadline.
	 */
	private Connected connection(long deadline, Duration timeout) throws Exception {
		Attempt attempt = attempt();
		try {
			return attempt.future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			// The attempt goes on: a later decision uses its connection.
			throw new TimeoutException("Redis connection not open within " + timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new Unanswered(null, true, timeout);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	private Attempt attempt() {
		while (true) {
			Attempt current = this.attempt.get();
			if (current != null && (!current.future.isCompletedExceptionally()
					|| System.nanoTime() - current.failedAt < RETRY_INTERVAL_NANOS)) {
				// In flight, open, or failed a moment ago (its failure answers).
				return current;
			}
			Attempt next = new Attempt();
			if (this.attempt.compareAndSet(current, next)) {
				next.thread.start();
				return next;
			}
		}
	}

	/**
	 * Opens a connection and loads the scripts, on a thread of its own: the factory's
	 * {@code getConnection()} blocks while it connects, for as long as the client's own
	 * timeouts allow, which no caller must wait for.
	 */
	private void open(Attempt attempt) {
		RedisConnection connection = null;
		try {
			connection = this.connectionFactory.getConnection();
			@SuppressWarnings("unchecked")
			RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			long deadline = System.nanoTime() + WARM_UP_COMMAND_TIMEOUT.toNanos();
			for (Script script : SCRIPTS) {
				String sha = await(commands.scriptLoad(script.bytes), deadline);
				if (!script.sha.equals(sha)) {
					throw new IllegalStateException(
							"Redis loaded a rate limit script as " + sha + ", expected " + script.sha);
				}
			}
			await(commands.evalsha(DECIDE.sha, ScriptOutputType.MULTI, WARM_UP_KEYS, WARM_UP_ARGS), deadline);
			if (this.closed) {
				throw new IllegalStateException("The Redis rate limiters stopped while connecting");
			}
			Connected connected = new Connected(connection, commands, handler(commands));
			this.connected = connected;
			attempt.future.complete(connected);
		}
		catch (Throwable ex) {
			if (connection != null) {
				closeQuietly(connection);
			}
			attempt.failedAt = System.nanoTime();
			attempt.future.completeExceptionally(ex);
		}
	}

	private void forgetIfClosed(Connected connected) {
		if (connected.isClosed()) {
			// The next decision opens another instead of failing on this one forever.
			forget(connected);
		}
	}

	private void forget(Connected connected) {
		Attempt current = this.attempt.get();
		if (current != null && current.future.isDone() && !current.future.isCompletedExceptionally()
				&& current.future.join() == connected) {
			this.attempt.compareAndSet(current, null);
		}
		if (this.connected == connected) {
			this.connected = null;
		}
		closeQuietly(connected.connection());
	}

	private static void closeQuietly(RedisConnection connection) {
		try {
			connection.close();
		}
		catch (RuntimeException ex) {
			// Closing after the factory stopped: the client's shutdown closed it.
		}
	}

	private static @Nullable RedisChannelHandler<?, ?> handler(RedisClusterAsyncCommands<byte[], byte[]> commands) {
		StatefulConnection<?, ?> stateful = null;
		if (commands instanceof RedisAsyncCommands<?, ?> standalone) {
			stateful = standalone.getStatefulConnection();
		}
		else if (commands instanceof RedisAdvancedClusterAsyncCommands<?, ?> cluster) {
			stateful = cluster.getStatefulConnection();
		}
		return (stateful instanceof RedisChannelHandler<?, ?> handler) ? handler : null;
	}

	/**
	 * Waits for a command's answer until the deadline.
	 * @param <T> the answer's type
	 * @param future the command's answer to come
	 * @param deadline the {@link System#nanoTime()} to wait until
	 * @return the answer
	 * @throws Exception if it did not come in time, or Redis failed
	 */
	static <T> T await(RedisFuture<T> future, long deadline) throws Exception {
		try {
			return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	/**
	 * Waits for a decision's answer until the deadline; if it is not there by then (or
	 * the thread is interrupted), throws {@link Unanswered} with the answer to come.
	 */
	private static List<Object> awaitAnswer(RedisFuture<List<Object>> future, long deadline, Duration timeout)
			throws Exception {
		try {
			return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			// Not cancelled: the command was written and Redis runs it all the same. Its
			// answer tells the caller what to give back.
			throw new Unanswered(future, false, timeout);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new Unanswered(future, true, timeout);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	private static <T> void complete(CompletableFuture<T> future, @Nullable T value, @Nullable Throwable failure) {
		if (failure == null) {
			future.complete(value);
		}
		else {
			future.completeExceptionally(unwrap(failure));
		}
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable current = failure;
		while ((current instanceof CompletionException || current instanceof ExecutionException)
				&& current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	private static String sha1(byte[] script) {
		try {
			byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(script);
			StringBuilder hex = new StringBuilder(digest.length * 2);
			for (byte b : digest) {
				hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
			}
			return hex.toString();
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required of every JVM", ex);
		}
	}

	static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A Lua script and its SHA-1, as {@code SCRIPT LOAD} answers it.
	 */
	static final class Script {

		final byte[] bytes;

		final String sha;

		Script(String text) {
			this.bytes = bytes(text);
			this.sha = sha1(this.bytes);
		}

	}

	/**
	 * A decision's command was sent, but its answer did not come in time or the caller
	 * was interrupted while waiting for it. Redis runs the command all the same (a
	 * command cannot be taken back once written): {@link #answer()} is its answer to
	 * come.
	 */
	static final class Unanswered extends TimeoutException {

		private final transient @Nullable RedisFuture<List<Object>> answer;

		private final boolean interrupted;

		Unanswered(@Nullable RedisFuture<List<Object>> answer, boolean interrupted, Duration timeout) {
			super(interrupted ? "Interrupted while waiting for Redis" : "Redis did not answer within " + timeout);
			this.answer = answer;
			this.interrupted = interrupted;
		}

		/**
		 * Returns the answer to come.
		 * @return {@code null} if no command was sent
		 */
		@Nullable RedisFuture<List<Object>> answer() {
			return this.answer;
		}

		boolean interrupted() {
			return this.interrupted;
		}

	}

	/**
	 * An open connection.
	 *
	 * @param connection the factory's connection, given back on close
	 * @param commands its native asynchronous commands, used by every decision
	 * @param handler the native connection, to tell whether it was closed for good or is
	 * disconnected for now; {@code null} if its type is unknown
	 */
	private record Connected(RedisConnection connection, RedisClusterAsyncCommands<byte[], byte[]> commands,
			@Nullable RedisChannelHandler<?, ?> handler) {

		boolean isClosed() {
			return this.handler != null && this.handler.isClosed();
		}

		boolean isOpen() {
			return this.handler == null || this.handler.isOpen();
		}

	}

	/**
	 * One attempt to open a connection, on a thread of its own.
	 */
	private final class Attempt {

		final CompletableFuture<Connected> future = new CompletableFuture<>();

		final Thread thread;

		// Written before the future fails, read after it has.
		volatile long failedAt;

		Attempt() {
			this.thread = new Thread(() -> open(this), "resilience-redis-connect-" + threads.incrementAndGet());
			this.thread.setDaemon(true);
		}

	}

	/**
	 * A decision, as {@link #DECIDE} answers it.
	 *
	 * @param outcome 1 granted, 0 rejected, -1 more permits asked for than the bucket
	 * holds, -2 a new key refused because {@code max-keys} buckets are refilling
	 * @param waitMicros the wait before the permits are there (granted: the reserved
	 * wait; rejected: the wait that would have been needed)
	 * @param remaining permits left in the bucket after the decision
	 * @param set the state the decision stored (granted), for a give back
	 * @param previous the state it replaced, {@code null} if the bucket was full
	 * @param liveKeys the instance's keys whose buckets are refilling, {@code -1} if not
	 * counted (the instance's own bucket, or a key that holds one already)
	 * @param periodMicros the refill period used
	 * @param limit the permits per period used
	 * @param burst the burst capacity setting used ({@code 0}: the limit)
	 * @param timeoutMicros the timeout used
	 * @param maxKeys the {@code max-keys} used
	 */
	record Decision(int outcome, long waitMicros, long remaining, byte @Nullable [] set, byte @Nullable [] previous,
			long liveKeys, long periodMicros, long limit, long burst, long timeoutMicros, long maxKeys) {

		static Decision of(List<Object> answer) {
			return new Decision((int) number(answer, 0), number(answer, 1), number(answer, 2), (byte[]) answer.get(3),
					(byte[]) answer.get(4), number(answer, 5), number(answer, 6), number(answer, 7), number(answer, 8),
					number(answer, 9), number(answer, 10));
		}

		private static long number(List<Object> answer, int index) {
			return ((Number) answer.get(index)).longValue();
		}

	}

}
