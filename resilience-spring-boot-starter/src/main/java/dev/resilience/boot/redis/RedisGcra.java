package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.RedisChannelHandler;
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
 * One rate-limit decision, taken atomically in Redis by a Lua script: GCRA (a token
 * bucket refilled continuously) on one key holding the bucket's theoretical arrival time,
 * with the time read from Redis ({@code TIME}) so that the clocks of the application's
 * instances do not matter. One round trip per decision ({@code EVALSHA}; {@code EVAL}
 * once after Redis lost its script cache).
 * <p>
 * The rate and capacity are read from the instance's configuration hash when it holds
 * them (a run-time change applies to every application instance at once), else taken from
 * the arguments. A bucket's key expires when it has refilled, so Redis keeps only buckets
 * that differ from a new one.
 * <p>
 * Each call waits at most the given timeout for Redis, connecting included; a slow or
 * unreachable Redis throws, and the caller applies its failure policy.
 * <p>
 * <b>Connection and threading.</b> One connection from the application's
 * {@link RedisConnectionFactory} serves every decision: it is taken once, its native
 * asynchronous commands kept in a volatile field, so that a decision takes no lock,
 * creates no connection wrapper and never connects on the caller's thread (the factory's
 * {@code getConnection()} locks, and connects while holding the lock for as long as the
 * client's timeouts allow). Opening it is an attempt on a thread of its own: take the
 * connection, {@code SCRIPT LOAD} the script, run one decision that takes nothing.
 * {@link #warmUp} starts it when the first Redis-backed limiter is made; a decision that
 * finds no open connection joins the attempt in flight (or starts one, at most one a
 * second after a failure) and waits for it no longer than its own timeout. Once open, the
 * client reconnects by itself after an outage; a connection that the factory closed is
 * forgotten, and the next decision opens another. {@link #close} interrupts an attempt in
 * flight, which holds the factory's lock, so that the factory can stop. Thread-safe.
 */
final class RedisGcra implements AutoCloseable {

	static final String SCRIPT = """
			local conf = redis.call('HMGET', KEYS[2], 'period', 'limit', 'capacity')
			local period = tonumber(conf[1]) or tonumber(ARGV[1])
			local limit = tonumber(conf[2]) or tonumber(ARGV[2])
			local capacity = tonumber(conf[3]) or tonumber(ARGV[3])
			local permits = tonumber(ARGV[4])
			local maxWait = tonumber(ARGV[5])
			if permits > capacity then
			  return {-1, 0, capacity}
			end
			local interval = period / limit
			local time = redis.call('TIME')
			local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
			local tat = now
			local stored = redis.call('GET', KEYS[1])
			if stored then
			  local sep = string.find(stored, ':', 1, true)
			  local storedTat = tonumber(string.sub(stored, 1, sep - 1))
			  local storedInterval = tonumber(string.sub(stored, sep + 1))
			  if storedTat > now then
			    -- Permits taken under another rate stay taken: the debt is kept in permits.
			    tat = now + (storedTat - now) * interval / storedInterval
			  end
			end
			local newTat = tat + permits * interval
			local wait = newTat - capacity * interval - now
			if wait > maxWait then
			  return {0, math.ceil(wait), math.floor((now + capacity * interval - tat) / interval)}
			end
			redis.call('SET', KEYS[1], string.format('%.0f:%.17g', newTat, interval), 'PX', math.max(1, math.ceil((newTat - now) / 1000)))
			if wait < 0 then
			  wait = 0
			end
			return {1, math.ceil(wait), math.floor((now + capacity * interval - newTat) / interval)}
			""";

	private static final byte[] SCRIPT_BYTES = SCRIPT.getBytes(StandardCharsets.UTF_8);

	/** The script's SHA-1, as {@code SCRIPT LOAD} answers it. */
	static final String SHA = sha1(SCRIPT_BYTES);

	// A decision that takes nothing: more permits than any bucket holds, so the script
	// returns before it writes. Run once when connecting, it loads the same code paths
	// (EVALSHA, the multi-bulk answer) that the first real decision needs.
	private static final byte[][] WARM_UP_KEYS = { bytes("resilience:ratelimiter:{resilience-warm-up}:bucket"),
			bytes("resilience:ratelimiter:{resilience-warm-up}:config") };

	private static final byte[][] WARM_UP_ARGS = { bytes("1"), bytes("1"), bytes("1"), bytes("9007199254740992"),
			bytes("0") };

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
	 * Opens the connection and loads the script, waiting at most {@code wait}; if that is
	 * not done by then it goes on in the background, and decisions wait for it at most
	 * their own timeout.
	 * @param wait how long to wait
	 * @return whether the connection is open and the script loaded
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
	 * Takes a decision.
	 * @param bucketKey the bucket's Redis key
	 * @param configKey the instance's configuration hash
	 * @param periodMicros the refill period in microseconds
	 * @param limit permits per period
	 * @param capacity the bucket size
	 * @param permits permits asked for
	 * @param maxWaitMicros how long the caller may wait for them
	 * @param timeout how long to wait for Redis, connecting included
	 * @return the decision
	 * @throws Exception if Redis did not answer in time or failed
	 */
	Decision decide(String bucketKey, String configKey, long periodMicros, int limit, int capacity, int permits,
			long maxWaitMicros, Duration timeout) throws Exception {
		byte[][] keys = { bytes(bucketKey), bytes(configKey) };
		byte[][] args = { bytes(Long.toString(periodMicros)), bytes(Integer.toString(limit)),
				bytes(Integer.toString(capacity)), bytes(Integer.toString(permits)),
				bytes(Long.toString(maxWaitMicros)) };
		List<Object> answer = run((commands) -> commands.evalsha(SHA, ScriptOutputType.MULTI, keys, args),
				(commands) -> commands.eval(SCRIPT_BYTES, ScriptOutputType.MULTI, keys, args), timeout);
		return new Decision(((Number) answer.get(0)).intValue(), ((Number) answer.get(1)).longValue(),
				((Number) answer.get(2)).longValue());
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
	 * Sends the instance's rate and capacity to where every application instance reads
	 * them, without waiting for the answer.
	 * @param configKey the instance's configuration hash
	 * @param periodMicros the refill period in microseconds
	 * @param limit permits per period
	 * @param capacity the bucket size
	 * @return the command's answer to come
	 * @throws IllegalStateException if no connection is open
	 */
	RedisFuture<Long> storeConfig(String configKey, long periodMicros, int limit, int capacity) {
		Connected connected = this.connected;
		if (connected == null) {
			throw new IllegalStateException("No connection to Redis is open");
		}
		Map<byte[], byte[]> fields = new LinkedHashMap<>();
		fields.put(bytes("period"), bytes(Long.toString(periodMicros)));
		fields.put(bytes("limit"), bytes(Integer.toString(limit)));
		fields.put(bytes("capacity"), bytes(Integer.toString(capacity)));
		return connected.commands().hset(bytes(configKey), fields);
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

	private List<Object> run(Command<List<Object>> command, Command<List<Object>> onNoScript, Duration timeout)
			throws Exception {
		if (this.closed) {
			throw new IllegalStateException("The Redis rate limiters are stopped");
		}
		// One deadline for everything a decision may wait for: the connection, the
		// command, and EVAL after a lost script cache.
		long deadline = System.nanoTime() + timeout.toNanos();
		Connected connected = this.connected;
		if (connected == null) {
			connected = connection(deadline, timeout);
		}
		try {
			try {
				return await(command.start(connected.commands()), deadline);
			}
			catch (RedisNoScriptException ex) {
				// Redis restarted or flushed its script cache: EVAL loads the script
				// again.
				return await(onNoScript.start(connected.commands()), deadline);
			}
		}
		catch (Exception ex) {
			if (connected.isClosed()) {
				// The connection factory closed it for good (reset or stopped), which is
				// not a disconnection the client recovers from: the next decision opens
				// another instead of failing on this one forever.
				forget(connected);
			}
			throw ex;
		}
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
	 * Opens a connection and loads the script, on a thread of its own: the factory's
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
			String sha = await(commands.scriptLoad(SCRIPT_BYTES), deadline);
			if (!SHA.equals(sha)) {
				throw new IllegalStateException("Redis loaded the rate limit script as " + sha + ", expected " + SHA);
			}
			await(commands.evalsha(SHA, ScriptOutputType.MULTI, WARM_UP_KEYS, WARM_UP_ARGS), deadline);
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
	 * Waits for a command's answer until the deadline; cancels the command if it is not
	 * there by then.
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
		catch (TimeoutException ex) {
			// A command queued while Redis is away must not run (and take permits) later.
			future.cancel(true);
			throw ex;
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
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

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	@FunctionalInterface
	private interface Command<T> {

		RedisFuture<T> start(RedisClusterAsyncCommands<byte[], byte[]> commands);

	}

	/**
	 * An open connection.
	 *
	 * @param connection the factory's connection, given back on close
	 * @param commands its native asynchronous commands, used by every decision
	 * @param handler the native connection, to tell whether it was closed for good
	 * (disconnected is not closed: the client reconnects); {@code null} if its type is
	 * unknown
	 */
	private record Connected(RedisConnection connection, RedisClusterAsyncCommands<byte[], byte[]> commands,
			@Nullable RedisChannelHandler<?, ?> handler) {

		boolean isClosed() {
			return this.handler != null && this.handler.isClosed();
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
	 * A decision.
	 *
	 * @param outcome 1 granted, 0 rejected, -1 more permits asked for than the bucket
	 * holds
	 * @param waitMicros the wait before the permits are there (granted: the reserved
	 * wait; rejected: the wait that would have been needed)
	 * @param remaining permits left in the bucket after the decision
	 */
	record Decision(int outcome, long waitMicros, long remaining) {
	}

}
