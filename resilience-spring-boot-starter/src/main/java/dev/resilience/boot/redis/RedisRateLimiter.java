package dev.resilience.boot.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.boot.autoconfigure.BackendState;
import dev.resilience.boot.autoconfigure.ResilienceProperties.OnBackendFailure;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterEvent;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import io.lettuce.core.RedisFuture;
import org.jspecify.annotations.Nullable;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A {@link RateLimiter} whose buckets live in Redis, so that every instance of the
 * application shares one budget (a third-party quota does not care how many pods call
 * it). Decisions are taken by {@link RedisGcra}, with the same semantics as the in-memory
 * limiter: a continuously refilled bucket of {@code burstCapacity} permits, callers
 * waiting up to {@code timeoutDuration}, rejected at once when they could not be served
 * in time.
 * <p>
 * <b>When Redis is down or slow</b>, a decision gives up after {@code backendTimeout} and
 * the failure policy answers: {@link OnBackendFailure#ALLOW allow} (fail open) or
 * {@link OnBackendFailure#DENY deny} (fail closed). Failures are counted, logged once per
 * outage (and once when Redis is back), and shown by {@link #backendAvailable()};
 * recovery needs nothing but Redis answering again. No caller waits longer than the
 * backend timeout plus its own permitted wait. <b>Redis down at startup</b> does not stop
 * the application: the limiter starts unavailable (logged once), the failure policy
 * answers, and the connection opens in the background (see {@link RedisGcra}).
 * <p>
 * The rate and capacity are stored in Redis when the limiter is created and by
 * {@link #reconfigure}, and every application instance reads them on its next decision;
 * if Redis could not take them then, they are sent again, in the background, after the
 * next decision Redis takes. Thread-safe: decisions take no lock; configuration changes
 * and their sends are ordered by a lock, so the last change is what Redis keeps.
 */
public final class RedisRateLimiter implements RateLimiter, BackendState {

	private static final Log logger = LogFactory.getLog(RedisRateLimiter.class);

	private final String name;

	private final RedisGcra gcra;

	private final Scheduler scheduler;

	private final OnBackendFailure onBackendFailure;

	private final Duration backendTimeout;

	private final String configKey;

	private final String bucketKeyPrefix;

	private volatile RateLimiterConfig config;

	private volatile long remaining;

	private final AtomicBoolean available = new AtomicBoolean(true);

	private final LongAdder permitted = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder backendFailures = new LongAdder();

	private final EventPublisher<RateLimiterEvent> events = new EventPublisher<>();

	// Orders configuration changes and their sends to Redis.
	private final Object configLock = new Object();

	// Whether Redis holds the configuration in force: read without the lock by every
	// decision, written under it.
	private volatile boolean configStored;

	// Guarded by configLock.
	private long configVersion;

	// Guarded by configLock: sends not answered yet.
	private int configSending;

	RedisRateLimiter(String name, RateLimiterConfig config, RedisGcra gcra, Scheduler scheduler,
			OnBackendFailure onBackendFailure, Duration backendTimeout) {
		this.name = Objects.requireNonNull(name, "name must not be null");
		this.config = Objects.requireNonNull(config, "config must not be null");
		this.gcra = gcra;
		this.scheduler = scheduler;
		this.onBackendFailure = onBackendFailure;
		this.backendTimeout = backendTimeout;
		// A hash tag keeps an instance's keys in one slot of a Redis cluster, as a script
		// that touches two keys requires.
		String tag = "resilience:ratelimiter:{" + name + "}";
		this.configKey = tag + ":config";
		this.bucketKeyPrefix = tag + ":bucket";
		this.remaining = config.effectiveBurstCapacity();
		Exception failure = storeConfig();
		if (failure != null) {
			// Redis is down or slow at startup: the application starts all the same, the
			// failure policy answers until Redis does, and the configuration is stored
			// after the first decision Redis takes.
			unavailable("is not reachable at startup", failure);
		}
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public RateLimiterConfig config() {
		return this.config;
	}

	@Override
	public EventPublisher<RateLimiterEvent> events() {
		return this.events;
	}

	@Override
	public Scheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public void acquirePermission(int permits) {
		acquire(this.bucketKeyPrefix, permits);
	}

	@Override
	public boolean tryAcquirePermission(int permits) {
		return tryAcquire(this.bucketKeyPrefix, permits);
	}

	@Override
	public long reservePermission(int permits) {
		return reserve(this.bucketKeyPrefix, permits);
	}

	/**
	 * Returns the limiter of one key, whose bucket lives in Redis under the instance's
	 * prefix. Redis forgets a bucket once it has refilled, so keys cost Redis memory only
	 * while they differ from a new bucket; no local state is kept per key.
	 */
	@Override
	public RateLimiter forKey(Object key) {
		Objects.requireNonNull(key, "key must not be null");
		return new KeyLimiter(this, this.bucketKeyPrefix + ":" + key);
	}

	@Override
	public Metrics metrics() {
		// The bucket level as of the last decision taken here: reading Redis for a
		// metrics scrape would add a round trip and fail when Redis is away.
		return new Metrics(this.remaining, this.permitted.sum(), this.rejected.sum(), 0);
	}

	@Override
	public void reconfigure(RateLimiterConfig config) {
		Objects.requireNonNull(config, "config must not be null");
		synchronized (this.configLock) {
			this.config = config;
		}
		Exception failure = storeConfig();
		if (failure != null) {
			logger.warn("RateLimiter '" + this.name + "': could not store its new configuration in Redis (" + failure
					+ "); it is stored after the next decision Redis takes");
		}
	}

	@Override
	public String backend() {
		return "redis";
	}

	/**
	 * Tells whether Redis answered the last decision.
	 * @return {@code false} during an outage
	 */
	@Override
	public boolean backendAvailable() {
		return this.available.get();
	}

	/**
	 * Returns how many decisions Redis failed to take (and the failure policy took).
	 * @return the count since creation
	 */
	@Override
	public long backendFailures() {
		return this.backendFailures.sum();
	}

	/**
	 * Returns what a decision does while Redis is away.
	 * @return the failure policy
	 */
	public OnBackendFailure onBackendFailure() {
		return this.onBackendFailure;
	}

	/**
	 * Returns how long a decision waits for Redis.
	 * @return the timeout
	 */
	public Duration backendTimeout() {
		return this.backendTimeout;
	}

	void acquire(String bucketKey, int permits) {
		long wait = decide(bucketKey, permits, true);
		if (wait < 0) {
			onRejected(permits);
			throw new RequestNotPermittedException(this.name, -wait - 1);
		}
		if (wait > 0) {
			try {
				this.scheduler.sleep(wait);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				onRejected(permits);
				throw new RequestNotPermittedException(this.name, 0);
			}
		}
		onPermitted(permits);
	}

	boolean tryAcquire(String bucketKey, int permits) {
		if (decide(bucketKey, permits, false) < 0) {
			onRejected(permits);
			return false;
		}
		onPermitted(permits);
		return true;
	}

	long reserve(String bucketKey, int permits) {
		long wait = decide(bucketKey, permits, true);
		if (wait < 0) {
			onRejected(permits);
			return REJECTED;
		}
		onPermitted(permits);
		return wait;
	}

	/**
	 * Returns the wait in nanoseconds (zero or more) if granted, or
	 * {@code -(retryAfter + 1)} if rejected.
	 */
	private long decide(String bucketKey, int permits, boolean mayWait) {
		RateLimiterConfig config = this.config;
		int capacity = config.effectiveBurstCapacity();
		if (permits < 1 || permits > capacity) {
			throw new IllegalArgumentException("permits must be between 1 and the burst capacity " + capacity
					+ " of RateLimiter '" + this.name + "' but was " + permits);
		}
		long maxWaitMicros = mayWait ? TimeUnit.NANOSECONDS.toMicros(config.timeoutDuration().toNanos()) : 0;
		RedisGcra.Decision decision;
		try {
			decision = this.gcra.decide(bucketKey, this.configKey,
					TimeUnit.NANOSECONDS.toMicros(config.limitRefreshPeriod().toNanos()), config.limitForPeriod(),
					capacity, permits, maxWaitMicros, this.backendTimeout);
		}
		catch (Exception ex) {
			return backendFailed(ex);
		}
		if (this.available.compareAndSet(false, true)) {
			logger.info("RateLimiter '" + this.name + "': Redis answers again; limiting resumes");
		}
		if (!this.configStored) {
			storeConfigLater();
		}
		this.remaining = decision.remaining();
		if (decision.outcome() < 0) {
			throw new IllegalArgumentException("permits (" + permits + ") exceed the burst capacity of RateLimiter '"
					+ this.name + "' stored in Redis (" + decision.remaining() + ")");
		}
		long waitNanos = TimeUnit.MICROSECONDS.toNanos(decision.waitMicros());
		return (decision.outcome() == 1) ? waitNanos : -waitNanos - 1;
	}

	private long backendFailed(Exception ex) {
		this.backendFailures.increment();
		unavailable("did not answer within " + this.backendTimeout, ex);
		return (this.onBackendFailure == OnBackendFailure.ALLOW) ? 0 : -1;
	}

	private void unavailable(String what, Exception ex) {
		if (this.available.compareAndSet(true, false)) {
			// Once per outage, not once per call: a Redis outage at a thousand calls a
			// second must not flood the log.
			logger.warn("RateLimiter '" + this.name + "': Redis " + what + " (" + ex + "); calls are "
					+ ((this.onBackendFailure == OnBackendFailure.ALLOW) ? "allowed" : "denied")
					+ " until it answers again", ex);
		}
	}

	/**
	 * Stores the configuration in Redis, waiting at most the backend timeout.
	 * @return {@code null} if stored, else why not
	 */
	private @Nullable Exception storeConfig() {
		long deadline = System.nanoTime() + this.backendTimeout.toNanos();
		try {
			this.gcra.awaitConnection(deadline);
			RedisGcra.await(sendConfig(), deadline);
			return null;
		}
		catch (Exception ex) {
			return ex;
		}
	}

	/**
	 * Stores the configuration in Redis in the background, unless it is stored or being
	 * stored: after a decision Redis took while it was not.
	 */
	private void storeConfigLater() {
		synchronized (this.configLock) {
			if (this.configStored || this.configSending > 0) {
				return;
			}
			try {
				sendConfig();
			}
			catch (RuntimeException ex) {
				// No connection open any more: the next decision Redis takes tries again.
			}
		}
	}

	/**
	 * Sends the configuration in force. Under the lock, so that two sends go out in the
	 * order of the changes and the last change is what Redis keeps.
	 */
	private RedisFuture<Long> sendConfig() {
		synchronized (this.configLock) {
			RateLimiterConfig config = this.config;
			long version = ++this.configVersion;
			this.configStored = false;
			RedisFuture<Long> sent = this.gcra.storeConfig(this.configKey,
					TimeUnit.NANOSECONDS.toMicros(config.limitRefreshPeriod().toNanos()), config.limitForPeriod(),
					config.effectiveBurstCapacity());
			this.configSending++;
			// Completed on the client's I/O thread; the lock is never held while waiting
			// for Redis, so this cannot deadlock.
			sent.whenComplete((answer, failure) -> {
				synchronized (this.configLock) {
					this.configSending--;
					if (version == this.configVersion) {
						this.configStored = (failure == null);
					}
				}
			});
			return sent;
		}
	}

	private void onPermitted(int permits) {
		this.permitted.increment();
		if (this.events.hasListeners()) {
			this.events.publish(new RateLimiterEvent(this.name, RateLimiterEvent.Type.PERMITTED, permits));
		}
	}

	private void onRejected(int permits) {
		this.rejected.increment();
		if (this.events.hasListeners()) {
			this.events.publish(new RateLimiterEvent(this.name, RateLimiterEvent.Type.REJECTED, permits));
		}
	}

	@Override
	public String toString() {
		return "RedisRateLimiter '" + this.name + "' " + this.config;
	}

}
