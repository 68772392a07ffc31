package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.resilience.boot.autoconfigure.BackendState;
import dev.resilience.boot.autoconfigure.ResilienceProperties.OnBackendFailure;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterEvent;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/*
 * Design. Decisions take no lock: each is one script run in Redis (RedisGcra), given the
 * configuration this instance saw last (an immutable Settings in a volatile field, its
 * script arguments encoded once) and answering with the configuration Redis used, which
 * replaces the view when it differs (the only allocation beyond the command's own, and
 * then under the lock). Counters are LongAdders, levels volatile longs written by the
 * last decision.
 *
 * The configuration. Redis holds the truth (RedisGcra.DECIDE reads it); this instance
 * only has a view of it. config() reads it (bounded by the backend timeout, the view when
 * Redis is away); reconfigure() writes only the settings in which the new configuration
 * differs from the view, so a change of one setting never writes back the others as this
 * instance last saw them. (A change of the same setting by another instance between
 * config() and reconfigure() is the one write that can be lost: the last one wins.) A
 * change Redis did not take yet is pending (an immutable Pending, each setting with the
 * version of the change that set it): it is overlaid on what Redis answers, sent again
 * after the next decision Redis takes, and cleared setting by setting once Redis took
 * that very change. Changes and their sends are ordered by configLock, never held while
 * waiting for Redis; the sends go out in that order on the one connection.
 *
 * Giving back. A caller that does not use permits Redis granted gives them back through
 * RedisGcra.GIVE_BACK, which restores the bucket only while the grant is the last one,
 * and otherwise gives back a grant without wait as far as it has not refilled and never
 * under the last waiter's slot (see the script). That covers a waiter interrupted or
 * cancelled, and a decision whose answer came after the backend timeout (denied by the
 * failure policy, or interrupted), whose command Redis ran all the same.
 */
/**
 * A {@link RateLimiter} whose buckets live in Redis, so that every instance of the
 * application shares one budget (a third-party quota does not care how many pods call
 * it). Decisions are taken by {@link RedisGcra}, with the same semantics as the in-memory
 * limiter: a continuously refilled bucket of {@code burstCapacity} permits, callers
 * waiting up to {@code timeoutDuration}, rejected at once when they could not be served
 * in time; per-key buckets ({@link #forKey}) bounded by {@code maxKeys}.
 * <p>
 * <b>One configuration for every instance.</b> The settings stored in Redis are the ones
 * in force: {@link #config()} shows them, {@link #reconfigure} writes the settings it
 * changes (and only those), and every instance's next decision uses them. When this
 * instance starts, it stores its own configuration only if it differs from the one the
 * last deploy stored (a restart or a scale-up keeps run-time changes; a deploy that
 * changes a setting wins over them). A Redis that lost the configuration (a restart
 * without persistence) gets back the one its callers saw last.
 * <p>
 * <b>When Redis is down or slow</b>, a decision gives up after {@code backendTimeout} (at
 * once while the client is disconnected) and the failure policy answers:
 * {@link OnBackendFailure#ALLOW allow} (fail open) or {@link OnBackendFailure#DENY deny}
 * (fail closed). Failures are counted, logged with their cause once per outage (and once
 * when Redis is back), and shown by {@link #backendAvailable()}; recovery needs nothing
 * but Redis answering again. No caller waits longer than the backend timeout plus its own
 * permitted wait. A command that timed out still runs in Redis: under {@code deny} the
 * permits it took are given back when its answer comes; under {@code allow} they stay
 * taken, since the call went ahead. <b>Redis down at startup</b> does not stop the
 * application: the limiter starts unavailable (logged once), the failure policy answers,
 * and the connection opens in the background (see {@link RedisGcra}).
 * <p>
 * <b>Giving back.</b> A waiter that is interrupted, and a {@link #reserve(int)}
 * reservation that is {@linkplain Reservation#cancel() cancelled}, give their permits
 * back while their reservation is still the last one, as the in-memory limiter does;
 * otherwise their slot passes unused. {@code cancel()} does not wait for Redis: it
 * answers whether the give back was sent.
 * <p>
 * Thread-safe: decisions take no lock; configuration changes are ordered by a lock that
 * is never held while waiting for Redis.
 */
public final class RedisRateLimiter implements RateLimiter, BackendState {

	private static final Log logger = LogFactory.getLog(RedisRateLimiter.class);

	// Decision outcomes: Redis's (see RedisGcra.Decision), then the failure policy's.
	static final int GRANTED = 1;

	static final int REJECTED_BY_REDIS = 0;

	static final int TOO_MANY = -1;

	static final int KEY_REFUSED = -2;

	private static final int ALLOWED_BY_POLICY = 2;

	private static final int DENIED_BY_POLICY = -3;

	private static final int INTERRUPTED = -4;

	private static final RedisGcra.Decision ALLOWED = policy(ALLOWED_BY_POLICY);

	private static final RedisGcra.Decision DENIED = policy(DENIED_BY_POLICY);

	private static final RedisGcra.Decision INTERRUPTED_DECISION = policy(INTERRUPTED);

	private static final byte[] ZERO = RedisGcra.bytes("0");

	private static final byte[] ONE = RedisGcra.bytes("1");

	private static final byte[] EMPTY = new byte[0];

	// The permits argument, encoded once for the usual counts.
	private static final byte[][] PERMITS = new byte[65][];

	static {
		for (int i = 0; i < PERMITS.length; i++) {
			PERMITS[i] = RedisGcra.bytes(Integer.toString(i));
		}
	}

	private final String name;

	private final RedisGcra gcra;

	private final Scheduler scheduler;

	private final OnBackendFailure onBackendFailure;

	private final Duration backendTimeout;

	private final byte[] configKey;

	private final byte[][] configKeys;

	private final byte[] liveKeysKey;

	private final byte[] bucketKeyPrefix;

	private final Bucket shared;

	// This instance's own configuration, from the application's properties.
	private final Settings deployed;

	// The configuration in force as this instance saw it last: written under configLock.
	private volatile Settings view;

	// The instance's keys with a bucket that is refilling, as the last decision on a key
	// counted them.
	private volatile long liveKeys;

	private final AtomicBoolean available = new AtomicBoolean(true);

	private final LongAdder permitted = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	// Threads blocked in acquirePermission until their permits fall due.
	private final AtomicInteger waitingThreads = new AtomicInteger();

	private final LongAdder backendFailures = new LongAdder();

	private final EventPublisher<RateLimiterEvent> events = new EventPublisher<>();

	private final Object configLock = new Object();

	// What Redis has not taken yet; written under configLock, read without it.
	private volatile @Nullable Pending pending;

	// Guarded by configLock.
	private long changes;

	// Guarded by configLock: sends not answered yet.
	private int sending;

	// Guarded by configLock: the last invalid configuration read from Redis, logged once.
	private @Nullable String invalidLogged;

	RedisRateLimiter(String name, RateLimiterConfig config, RedisGcra gcra, Scheduler scheduler,
			OnBackendFailure onBackendFailure, Duration backendTimeout) {
		this.name = Objects.requireNonNull(name, "name must not be null");
		Objects.requireNonNull(config, "config must not be null");
		this.gcra = gcra;
		this.scheduler = scheduler;
		this.onBackendFailure = onBackendFailure;
		this.backendTimeout = backendTimeout;
		// A hash tag keeps an instance's keys in one slot of a Redis cluster, as a script
		// that touches several keys requires.
		String tag = "resilience:ratelimiter:{" + name + "}";
		this.configKey = RedisGcra.bytes(tag + ":config");
		this.configKeys = new byte[][] { this.configKey };
		this.liveKeysKey = RedisGcra.bytes(tag + ":keys");
		this.bucketKeyPrefix = RedisGcra.bytes(tag + ":bucket:");
		byte[] sharedBucket = RedisGcra.bytes(tag + ":bucket");
		this.shared = new Bucket(new byte[][] { sharedBucket, this.configKey }, new byte[][] { sharedBucket }, null,
				config.effectiveBurstCapacity());
		this.deployed = Settings.of(config, null);
		this.view = this.deployed;
		this.pending = new Pending(true, 0, new long[5], new long[5]);
		Exception failure = storeNow();
		if (failure != null) {
			// Redis is down or slow at startup: the application starts all the same, the
			// failure policy answers until Redis does, and the configuration is stored
			// after the first decision Redis takes.
			unavailable(failure, " at startup");
		}
	}

	@Override
	public String name() {
		return this.name;
	}

	/**
	 * Returns the configuration in force for every instance of the application: read from
	 * Redis, waiting at most the backend timeout; while Redis is away, the one this
	 * instance saw last (from its decisions, or its own if Redis never answered).
	 * @return the configuration
	 */
	@Override
	public RateLimiterConfig config() {
		if (this.available.get() && this.gcra.isConnected()) {
			try {
				observe(this.gcra.readConfig(this.configKey, System.nanoTime() + this.backendTimeout.toNanos()));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (Exception ex) {
				// Slow or failing: the configuration seen last. Decisions count and log
				// Redis's failures; reading the configuration only shows it.
			}
		}
		return this.view.config;
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
		acquire(this.shared, permits);
	}

	@Override
	public boolean tryAcquirePermission(int permits) {
		return tryAcquire(this.shared, permits);
	}

	@Override
	public long reservePermission(int permits) {
		return reservePermission(this.shared, permits);
	}

	@Override
	public Reservation reserve(int permits) {
		return reserve(this.shared, permits);
	}

	/**
	 * Returns the limiter of one key, whose bucket lives in Redis under the instance's
	 * prefix (see {@link KeyEncoding} for how a key is written). Redis forgets a bucket
	 * once it has refilled; at most {@code maxKeys} keys of the instance hold a bucket
	 * that is refilling, and a decision on a new key beyond that is refused (as a
	 * rejection without a retry-after hint) until one of them has refilled. No local
	 * state is kept per key.
	 */
	@Override
	public RateLimiter forKey(Object key) {
		Objects.requireNonNull(key, "key must not be null");
		byte[] member = KeyEncoding.encode(key);
		byte[] bucketKey = Arrays.copyOf(this.bucketKeyPrefix, this.bucketKeyPrefix.length + member.length);
		System.arraycopy(member, 0, bucketKey, this.bucketKeyPrefix.length, member.length);
		return new KeyLimiter(this, new Bucket(new byte[][] { bucketKey, this.configKey, this.liveKeysKey },
				new byte[][] { bucketKey, this.liveKeysKey }, member, this.view.config.effectiveBurstCapacity()));
	}

	/**
	 * Returns the figures: the level of the instance's own bucket and the count of keys
	 * whose buckets are refilling, as the last decisions this instance of the application
	 * took found them (reading Redis for a metrics scrape would add a round trip and fail
	 * when Redis is away), and this instance's counters.
	 */
	@Override
	public Metrics metrics() {
		return new Metrics(this.shared.remaining, this.permitted.sum(), this.rejected.sum(), this.liveKeys,
				this.waitingThreads.get());
	}

	/**
	 * Zeroes this instance's counters (permitted, rejected, backend failures). The
	 * buckets and the configuration in Redis are not touched: they are shared by every
	 * instance of the application, so a reset here would change the budget of all of
	 * them. A test that needs fresh buckets gives each test its own key prefix or flushes
	 * its own test Redis.
	 */
	@Override
	public void reset() {
		this.permitted.reset();
		this.rejected.reset();
		this.backendFailures.reset();
	}

	Metrics metrics(Bucket bucket) {
		return new Metrics(bucket.remaining, this.permitted.sum(), this.rejected.sum(), 0, this.waitingThreads.get());
	}

	/**
	 * Changes the configuration of every instance of the application: writes to Redis the
	 * settings in which {@code config} differs from the configuration in force as this
	 * instance last saw it (see {@link #config()}), and only those, waiting at most the
	 * backend timeout. If Redis does not take them in time, they are sent again after the
	 * next decision Redis takes.
	 */
	@Override
	public void reconfigure(RateLimiterConfig config) {
		Objects.requireNonNull(config, "config must not be null");
		CompletableFuture<List<Object>> sent;
		synchronized (this.configLock) {
			Settings current = this.view;
			long[] wanted = Settings.values(config);
			Pending before = this.pending;
			long[] values = (before != null) ? before.values.clone() : new long[5];
			long[] versions = (before != null) ? before.versions.clone() : new long[5];
			long change = ++this.changes;
			boolean changed = false;
			for (int i = 0; i < 5; i++) {
				if (wanted[i] != current.values[i]) {
					values[i] = wanted[i];
					versions[i] = change;
					changed = true;
				}
			}
			if (!changed) {
				return;
			}
			this.pending = new Pending(before != null && before.deploy, (before != null) ? before.deployVersion : 0,
					values, versions);
			this.view = Settings.of(config, this.deployed.fingerprint);
			sent = send();
		}
		try {
			sent.get(this.backendTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.warn("RateLimiter '" + this.name + "': could not store its new configuration in Redis ("
					+ describe(ex) + "); it is stored after the next decision Redis takes");
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
	@Override
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

	void acquire(Bucket bucket, int permits) {
		RedisGcra.Decision decision = decide(bucket, permits, true);
		switch (decision.outcome()) {
			case GRANTED -> {
				long wait = TimeUnit.MICROSECONDS.toNanos(decision.waitMicros());
				if (wait > 0) {
					this.waitingThreads.incrementAndGet();
					try {
						this.scheduler.sleep(wait);
					}
					catch (InterruptedException ex) {
						giveBackBeforeReturning(bucket, decision, permits);
						onRejected(permits);
						throw new RequestNotPermittedException(this.name, 0);
					}
					finally {
						this.waitingThreads.decrementAndGet();
					}
				}
				onPermitted(permits);
			}
			case ALLOWED_BY_POLICY -> onPermitted(permits);
			case REJECTED_BY_REDIS -> {
				onRejected(permits);
				throw new RequestNotPermittedException(this.name, TimeUnit.MICROSECONDS.toNanos(decision.waitMicros()));
			}
			default -> {
				onRejected(permits);
				throw new RequestNotPermittedException(this.name, 0);
			}
		}
	}

	boolean tryAcquire(Bucket bucket, int permits) {
		int outcome = decide(bucket, permits, false).outcome();
		if (outcome == GRANTED || outcome == ALLOWED_BY_POLICY) {
			onPermitted(permits);
			return true;
		}
		onRejected(permits);
		return false;
	}

	long reservePermission(Bucket bucket, int permits) {
		RedisGcra.Decision decision = decide(bucket, permits, true);
		if (decision.outcome() == GRANTED) {
			onPermitted(permits);
			return TimeUnit.MICROSECONDS.toNanos(decision.waitMicros());
		}
		if (decision.outcome() == ALLOWED_BY_POLICY) {
			onPermitted(permits);
			return 0;
		}
		onRejected(permits);
		return REJECTED;
	}

	Reservation reserve(Bucket bucket, int permits) {
		RedisGcra.Decision decision = decide(bucket, permits, true);
		switch (decision.outcome()) {
			case GRANTED -> {
				onPermitted(permits);
				long wait = TimeUnit.MICROSECONDS.toNanos(decision.waitMicros());
				return (wait > 0) ? new Waiting(this, bucket, decision, permits, wait) : Reservation.NOW;
			}
			case ALLOWED_BY_POLICY -> {
				onPermitted(permits);
				return Reservation.NOW;
			}
			case REJECTED_BY_REDIS -> {
				onRejected(permits);
				return Reservation.refused(TimeUnit.MICROSECONDS.toNanos(decision.waitMicros()));
			}
			default -> {
				onRejected(permits);
				return Reservation.refused(0);
			}
		}
	}

	private RedisGcra.Decision decide(Bucket bucket, int permits, boolean mayWait) {
		Settings settings = this.view;
		int capacity = settings.config.effectiveBurstCapacity();
		if (permits < 1 || permits > capacity) {
			throw new IllegalArgumentException("permits must be between 1 and the burst capacity " + capacity
					+ " of RateLimiter '" + this.name + "' but was " + permits);
		}
		byte[][] args = new byte[(bucket.member != null) ? 9 : 8][];
		System.arraycopy(settings.args, 0, args, 0, 6);
		args[6] = (permits < PERMITS.length) ? PERMITS[permits] : RedisGcra.bytes(Integer.toString(permits));
		args[7] = mayWait ? ONE : ZERO;
		if (bucket.member != null) {
			args[8] = bucket.member;
		}
		RedisGcra.Decision decision;
		try {
			decision = this.gcra.decide(bucket.decideKeys, args, this.backendTimeout);
		}
		catch (RedisGcra.Unanswered ex) {
			RedisFuture<List<Object>> late = ex.answer();
			if (ex.interrupted()) {
				// The caller goes without permits: what Redis grants it goes back.
				if (late != null) {
					giveBackWhenAnswered(bucket, late, permits);
				}
				return INTERRUPTED_DECISION;
			}
			if (late != null && this.onBackendFailure == OnBackendFailure.DENY) {
				// Redis runs the command all the same: a call denied for want of an
				// answer
				// must not take permits from the budget. (Allowed, the call went ahead,
				// and the permits Redis takes for it are its own.)
				giveBackWhenAnswered(bucket, late, permits);
			}
			return backendFailed(ex);
		}
		catch (Exception ex) {
			return backendFailed(ex);
		}
		if (this.available.compareAndSet(false, true)) {
			logger.info("RateLimiter '" + this.name + "': Redis answers again; limiting resumes");
		}
		if (!settings.matches(decision)) {
			observe(new long[] { decision.periodMicros(), decision.limit(), decision.burst(), decision.timeoutMicros(),
					decision.maxKeys() });
		}
		if (decision.liveKeys() >= 0) {
			this.liveKeys = decision.liveKeys();
		}
		if (decision.outcome() >= REJECTED_BY_REDIS) {
			bucket.remaining = decision.remaining();
		}
		if (this.pending != null) {
			sendLater();
		}
		if (decision.outcome() == TOO_MANY) {
			throw new IllegalArgumentException("permits (" + permits + ") exceed the burst capacity of RateLimiter '"
					+ this.name + "' stored in Redis (" + decision.remaining() + ")");
		}
		return decision;
	}

	private RedisGcra.Decision backendFailed(Exception ex) {
		this.backendFailures.increment();
		unavailable(ex, "");
		return (this.onBackendFailure == OnBackendFailure.ALLOW) ? ALLOWED : DENIED;
	}

	private void unavailable(Exception ex, String when) {
		if (this.available.compareAndSet(true, false)) {
			// Once per outage, not once per call: a Redis outage at a thousand calls a
			// second must not flood the log.
			logger.warn("RateLimiter '" + this.name + "': Redis " + describe(ex) + when + "; calls are "
					+ ((this.onBackendFailure == OnBackendFailure.ALLOW) ? "allowed" : "denied")
					+ " until it answers again", ex);
		}
	}

	/**
	 * Says what went wrong, in words that fit "Redis ...".
	 */
	private String describe(Throwable ex) {
		Throwable cause = (ex instanceof java.util.concurrent.ExecutionException && ex.getCause() != null)
				? ex.getCause() : ex;
		if (cause instanceof RedisGcra.Unanswered) {
			return "did not answer within " + this.backendTimeout;
		}
		if (cause instanceof TimeoutException) {
			return "was not connected within " + this.backendTimeout;
		}
		if (cause instanceof RedisConnectionException) {
			return "is not reachable (" + cause.getMessage() + ")";
		}
		return "failed (" + cause.getMessage() + ")";
	}

	/**
	 * Takes a configuration read from Redis as the view, with the changes Redis has not
	 * taken yet laid over it.
	 * @param stored the five settings, {@code null} for a missing or unreadable one
	 */
	private void observe(List<byte @Nullable []> stored) {
		long[] values = this.view.values.clone();
		for (int i = 0; i < 5 && i < stored.size(); i++) {
			byte[] value = stored.get(i);
			if (value != null) {
				try {
					values[i] = Long.parseLong(new String(value, StandardCharsets.US_ASCII));
				}
				catch (NumberFormatException ex) {
					// Unreadable: the decision script stores a valid value in its place.
				}
			}
		}
		observe(values);
	}

	private void observe(long[] stored) {
		if (Arrays.equals(stored, this.view.values)) {
			return;
		}
		synchronized (this.configLock) {
			long[] values = stored.clone();
			Pending waiting = this.pending;
			if (waiting != null) {
				for (int i = 0; i < 5; i++) {
					if (waiting.versions[i] != 0) {
						values[i] = waiting.values[i];
					}
				}
			}
			if (Arrays.equals(values, this.view.values)) {
				return;
			}
			Settings next = Settings.of(values, this.deployed.fingerprint);
			if (next == null) {
				String invalid = Arrays.toString(values);
				if (!invalid.equals(this.invalidLogged)) {
					this.invalidLogged = invalid;
					logger.warn("RateLimiter '" + this.name + "': Redis holds a configuration that is not valid "
							+ "(period, limit, burst, timeout, maxKeys = " + invalid + "); keeping "
							+ this.view.config);
				}
				return;
			}
			this.view = next;
		}
	}

	/**
	 * Stores what is pending, waiting at most the backend timeout.
	 * @return {@code null} if stored, else why not
	 */
	private @Nullable Exception storeNow() {
		long deadline = System.nanoTime() + this.backendTimeout.toNanos();
		try {
			this.gcra.awaitConnection(deadline);
			CompletableFuture<List<Object>> sent;
			synchronized (this.configLock) {
				sent = send();
			}
			sent.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return ex;
		}
		catch (Exception ex) {
			return ex;
		}
	}

	/**
	 * Stores what is pending in the background, unless a send is on its way: after a
	 * decision Redis took.
	 */
	private void sendLater() {
		synchronized (this.configLock) {
			if (this.sending == 0 && this.pending != null) {
				send();
			}
		}
	}

	/**
	 * Sends what is pending, under the lock so that sends go out in the order of the
	 * changes.
	 */
	private CompletableFuture<List<Object>> send() {
		Pending sent = this.pending;
		if (sent == null) {
			return CompletableFuture.completedFuture(List.of());
		}
		// The settings not changed: the deploy's, or the view, each written only where
		// Redis lacks it.
		long[] values = (sent.deploy ? this.deployed : this.view).values.clone();
		byte[][] args = new byte[12][];
		args[0] = this.deployed.fingerprint;
		args[1] = sent.deploy ? ONE : ZERO;
		for (int i = 0; i < 5; i++) {
			boolean changed = sent.versions[i] != 0;
			args[2 + i] = RedisGcra.bytes(Long.toString(changed ? sent.values[i] : values[i]));
			args[7 + i] = changed ? ONE : ZERO;
		}
		this.sending++;
		CompletableFuture<List<Object>> answer = this.gcra.run(RedisGcra.CONFIGURE, this.configKeys, args);
		// Completed on the client's I/O thread (or here, if nothing could be sent); the
		// lock is never held while waiting for Redis, so this cannot deadlock.
		answer.whenComplete((stored, failure) -> {
			synchronized (this.configLock) {
				this.sending--;
				if (failure == null) {
					this.pending = settled(this.pending, sent);
				}
			}
			if (failure == null) {
				observe(toBytes(stored));
			}
		});
		return answer;
	}

	/**
	 * Returns what is still pending once Redis took {@code sent}: every setting changed
	 * again since stays.
	 */
	private static @Nullable Pending settled(@Nullable Pending current, Pending sent) {
		if (current == null) {
			return null;
		}
		boolean deploy = current.deploy && current.deployVersion != sent.deployVersion;
		long[] versions = current.versions.clone();
		boolean any = deploy;
		for (int i = 0; i < 5; i++) {
			if (versions[i] == sent.versions[i]) {
				versions[i] = 0;
			}
			any |= versions[i] != 0;
		}
		return any ? new Pending(deploy, current.deployVersion, current.values, versions) : null;
	}

	@SuppressWarnings("unchecked")
	private static List<byte @Nullable []> toBytes(List<Object> stored) {
		return (List<byte @Nullable []>) (List<?>) stored;
	}

	/**
	 * Gives back, once Redis answers, what it granted to a decision whose caller stopped
	 * waiting for the answer.
	 */
	private void giveBackWhenAnswered(Bucket bucket, RedisFuture<List<Object>> late, int permits) {
		late.whenComplete((answer, failure) -> {
			if (failure != null || answer == null) {
				// Not run (a lost script cache answers NOSCRIPT), or Redis failed it.
				return;
			}
			RedisGcra.Decision decision = RedisGcra.Decision.of(answer);
			if (decision.outcome() == GRANTED) {
				giveBack(bucket, decision, permits, decision.waitMicros() > 0);
			}
		});
	}

	/**
	 * Gives back the permits of an interrupted waiter, waiting for Redis at most the
	 * backend timeout, so that they are back when its caller is told.
	 */
	private void giveBackBeforeReturning(Bucket bucket, RedisGcra.Decision decision, int permits) {
		// The interrupt status is cleared for the bounded wait, and kept for the caller.
		Thread.interrupted();
		try {
			giveBack(bucket, decision, permits, true).get(this.backendTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (Exception ex) {
			// Not given back in time: the slot passes unused, as it would behind others.
		}
		finally {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Sends a give back (see {@link RedisGcra#GIVE_BACK}) without waiting for it.
	 * @return whether Redis gave the permits back; {@code false} if Redis could not be
	 * asked or failed
	 */
	CompletableFuture<Boolean> giveBack(Bucket bucket, RedisGcra.Decision decision, int permits, boolean waited) {
		byte[] previous = decision.previous();
		byte[][] args = new byte[(bucket.member != null) ? 5 : 4][];
		args[0] = Objects.requireNonNull(decision.set(), "a granted decision's state");
		args[1] = (previous != null) ? previous : EMPTY;
		args[2] = (permits < PERMITS.length) ? PERMITS[permits] : RedisGcra.bytes(Integer.toString(permits));
		args[3] = waited ? ONE : ZERO;
		if (bucket.member != null) {
			args[4] = bucket.member;
		}
		return this.gcra.run(RedisGcra.GIVE_BACK, bucket.giveBackKeys, args)
			.handle((answer, failure) -> failure == null && answer != null && !answer.isEmpty()
					&& ((Number) answer.get(0)).longValue() == 1);
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

	private static RedisGcra.Decision policy(int outcome) {
		return new RedisGcra.Decision(outcome, 0, 0, null, null, -1, 0, 0, 0, 0, 0);
	}

	@Override
	public String toString() {
		return "RedisRateLimiter '" + this.name + "' " + this.view.config;
	}

	/**
	 * One bucket in Redis: the instance's own, or a key's. Its level is the one the last
	 * decision on it here found.
	 */
	static final class Bucket {

		final byte[][] decideKeys;

		final byte[][] giveBackKeys;

		// The key as stored in the instance's set of live keys; null for the instance's
		// own bucket.
		final byte @Nullable [] member;

		volatile long remaining;

		Bucket(byte[][] decideKeys, byte[][] giveBackKeys, byte @Nullable [] member, long remaining) {
			this.decideKeys = decideKeys;
			this.giveBackKeys = giveBackKeys;
			this.member = member;
			this.remaining = remaining;
		}

	}

	/**
	 * The settings in Redis's units (period and timeout in microseconds, limit, burst,
	 * {@code maxKeys}), as a configuration and as the first six arguments of the decision
	 * script. Immutable.
	 */
	static final class Settings {

		final RateLimiterConfig config;

		final long[] values;

		final byte[] fingerprint;

		final byte[][] args;

		private Settings(RateLimiterConfig config, long[] values, byte @Nullable [] fingerprint) {
			this.config = config;
			this.values = values;
			// The deployed configuration's own fingerprint is its values.
			this.fingerprint = (fingerprint != null) ? fingerprint : RedisGcra.bytes(join(values));
			this.args = new byte[6][];
			for (int i = 0; i < 5; i++) {
				this.args[i] = RedisGcra.bytes(Long.toString(values[i]));
			}
			this.args[5] = this.fingerprint;
		}

		static Settings of(RateLimiterConfig config, byte @Nullable [] fingerprint) {
			return new Settings(config, values(config), fingerprint);
		}

		/**
		 * Returns the settings of values read from Redis, or {@code null} if they make no
		 * valid configuration.
		 */
		static @Nullable Settings of(long[] values, byte[] fingerprint) {
			try {
				RateLimiterConfig config = RateLimiterConfig.builder()
					.limitRefreshPeriod(Duration.ofNanos(Math.multiplyExact(values[0], 1000L)))
					.limitForPeriod(Math.toIntExact(values[1]))
					.burstCapacity(Math.toIntExact(values[2]))
					.timeoutDuration(Duration.ofNanos(Math.multiplyExact(values[3], 1000L)))
					.maxKeys(Math.toIntExact(values[4]))
					.build();
				return new Settings(config, values.clone(), fingerprint);
			}
			catch (ArithmeticException | IllegalArgumentException ex) {
				return null;
			}
		}

		static long[] values(RateLimiterConfig config) {
			// Redis works in microseconds; a period under one is taken as one.
			return new long[] { Math.max(1, TimeUnit.NANOSECONDS.toMicros(config.limitRefreshPeriod().toNanos())),
					config.limitForPeriod(), config.burstCapacity(),
					TimeUnit.NANOSECONDS.toMicros(config.timeoutDuration().toNanos()), config.maxKeys() };
		}

		boolean matches(RedisGcra.Decision decision) {
			return decision.periodMicros() == this.values[0] && decision.limit() == this.values[1]
					&& decision.burst() == this.values[2] && decision.timeoutMicros() == this.values[3]
					&& decision.maxKeys() == this.values[4];
		}

		private static String join(long[] values) {
			StringBuilder joined = new StringBuilder();
			for (long value : values) {
				joined.append((joined.length() > 0) ? ":" : "").append(value);
			}
			return joined.toString();
		}

	}

	/**
	 * Configuration that Redis has not taken yet: the deploy (this instance's own
	 * configuration, stored at startup) and settings changed at run time, each with the
	 * number of the change that set it ({@code 0}: not pending). Immutable.
	 */
	private record Pending(boolean deploy, long deployVersion, long[] values, long[] versions) {
	}

	/**
	 * A reservation whose caller waits for its permits: cancelled, it gives them back
	 * while it is the last one (see {@link RedisGcra#GIVE_BACK}).
	 */
	static final class Waiting implements Reservation {

		private final RedisRateLimiter owner;

		private final Bucket bucket;

		private final RedisGcra.Decision decision;

		private final int permits;

		private final long waitNanos;

		private final AtomicBoolean cancelled = new AtomicBoolean();

		private volatile @Nullable CompletableFuture<Boolean> givenBack;

		Waiting(RedisRateLimiter owner, Bucket bucket, RedisGcra.Decision decision, int permits, long waitNanos) {
			this.owner = owner;
			this.bucket = bucket;
			this.decision = decision;
			this.permits = permits;
			this.waitNanos = waitNanos;
		}

		@Override
		public boolean isGranted() {
			return true;
		}

		@Override
		public long waitNanos() {
			return this.waitNanos;
		}

		/**
		 * Asks Redis to give the permits back, without waiting for its answer (a cancel
		 * may run on an I/O thread).
		 * @return {@code true} if the give back was sent; {@code false} after the first
		 * call, or if Redis cannot be reached now
		 */
		@Override
		public boolean cancel() {
			if (!this.cancelled.compareAndSet(false, true)) {
				return false;
			}
			boolean sent = this.owner.gcra.isConnected();
			this.givenBack = this.owner.giveBack(this.bucket, this.decision, this.permits, true);
			return sent;
		}

		/**
		 * Returns Redis's answer to the give back.
		 * @return {@code true} once the permits went back; {@code false} if they did not,
		 * or if not cancelled
		 */
		CompletableFuture<Boolean> givenBack() {
			CompletableFuture<Boolean> answer = this.givenBack;
			return (answer != null) ? answer : CompletableFuture.completedFuture(false);
		}

		@Override
		public String toString() {
			return "Reservation of " + this.permits + " permit(s) in " + this.waitNanos + " ns";
		}

	}

}
