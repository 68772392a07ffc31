package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

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
 * Each call waits at most the given timeout for Redis; a slow or unreachable Redis
 * throws, and the caller applies its failure policy. Thread-safe.
 */
final class RedisGcra {

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

	private static final String SHA = sha1(SCRIPT_BYTES);

	private final RedisConnectionFactory connectionFactory;

	RedisGcra(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
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
	 * @param timeout how long to wait for Redis
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
	 * Stores the instance's rate and capacity where every application instance reads
	 * them.
	 * @param configKey the instance's configuration hash
	 * @param periodMicros the refill period in microseconds
	 * @param limit permits per period
	 * @param capacity the bucket size
	 * @param timeout how long to wait for Redis
	 * @throws Exception if Redis did not answer in time or failed
	 */
	void storeConfig(String configKey, long periodMicros, int limit, int capacity, Duration timeout) throws Exception {
		java.util.Map<byte[], byte[]> fields = new java.util.LinkedHashMap<>();
		fields.put(bytes("period"), bytes(Long.toString(periodMicros)));
		fields.put(bytes("limit"), bytes(Integer.toString(limit)));
		fields.put(bytes("capacity"), bytes(Integer.toString(capacity)));
		run((commands) -> commands.hset(bytes(configKey), fields), null, timeout);
	}

	private <T> T run(Command<T> command, Command<T> onNoScript, Duration timeout) throws Exception {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			@SuppressWarnings("unchecked")
			RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			try {
				return await(command.start(commands), timeout);
			}
			catch (RedisNoScriptException ex) {
				if (onNoScript == null) {
					throw ex;
				}
				// Redis restarted or flushed its script cache: EVAL loads the script
				// again.
				return await(onNoScript.start(commands), timeout);
			}
		}
	}

	private static <T> T await(RedisFuture<T> future, Duration timeout) throws Exception {
		try {
			return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
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
