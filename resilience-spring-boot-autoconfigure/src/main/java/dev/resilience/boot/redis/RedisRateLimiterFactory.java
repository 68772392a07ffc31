package dev.resilience.boot.redis;

import java.time.Duration;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.boot.autoconfigure.ResilienceConfigurations;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.boot.autoconfigure.ResilienceProperties.Backend;
import dev.resilience.boot.autoconfigure.ResolvedInstance;
import dev.resilience.boot.autoconfigure.ResolvedPrimitive;
import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.function.SingletonSupplier;

/**
 * Makes each rate limiter as its {@code backend} says: in memory, or on Redis through the
 * application's Lettuce connection. The backend, failure policy and timeout of each
 * instance are read from the settings {@link ResilienceConfigurations} resolved at
 * startup ({@code base-config}, {@code configs.default}).
 * <p>
 * When the first Redis-backed instance is made, the connection is opened and the scripts
 * loaded, waiting at most 5 seconds; a Redis that is down or slow does not stop the
 * application. When the application context stops, this factory stops before the Redis
 * connection factory does ({@link #PHASE}): an attempt to connect that is still waiting
 * for a Redis that hangs is interrupted, so that the connection factory, whose lock that
 * attempt holds, stops at once rather than when its client gives up. Thread-safe.
 */
public final class RedisRateLimiterFactory implements RateLimiterRegistry.Factory, SmartLifecycle {

	/**
	 * The lifecycle phase: stopped before {@code LettuceConnectionFactory} (phase 0) and
	 * after the web server (which stops in a phase near {@link Integer#MAX_VALUE}), so
	 * that requests still being served are limited.
	 */
	public static final int PHASE = 1;

	/** Default {@code backend-timeout}. */
	public static final Duration DEFAULT_BACKEND_TIMEOUT = ResilienceProperties.RateLimiterSettings.DEFAULT_BACKEND_TIMEOUT;

	/**
	 * How long startup waits, once, for the Redis connection to open and the script to
	 * load when the first Redis-backed instance is made; past it, startup goes on and the
	 * connection keeps opening in the background.
	 */
	static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(5);

	private final SingletonSupplier<ResolvedPrimitive<RateLimiterConfig>> settings;

	private final SingletonSupplier<RedisGcra> gcra;

	// The one made, once it is; closed on stop.
	private volatile @Nullable RedisGcra made;

	private volatile boolean running;

	/**
	 * Creates the factory.
	 * @param configurations the resolved settings, looked up when the first instance is
	 * made (so that this factory stands without them until it is used)
	 * @param connectionFactory the application's Redis connection, looked up when the
	 * first Redis-backed instance is made
	 */
	public RedisRateLimiterFactory(ObjectProvider<ResilienceConfigurations> configurations,
			ObjectProvider<RedisConnectionFactory> connectionFactory) {
		this.settings = SingletonSupplier.of(() -> configurations.getObject().rateLimiters());
		this.gcra = SingletonSupplier.of(() -> {
			RedisConnectionFactory factory = connectionFactory.getIfAvailable();
			if (!(factory instanceof LettuceConnectionFactory)) {
				throw new ResilienceConfigurationException("resilience.ratelimiter: backend: redis",
						(factory == null) ? "there is no RedisConnectionFactory bean"
								: "the RedisConnectionFactory is a " + factory.getClass().getName() + ", not Lettuce's",
						"Use spring-boot-starter-data-redis with its default Lettuce client, and configure "
								+ "spring.data.redis.*.");
			}
			RedisGcra gcra = new RedisGcra(factory);
			this.made = gcra;
			// Connected and the scripts loaded before the first decision, so that a
			// healthy Redis answers the first burst within the backend timeout. A Redis
			// that is down does not stop startup: each instance then says so once, and
			// its failure policy answers until Redis does.
			gcra.warmUp(WARM_UP_TIMEOUT);
			return gcra;
		});
	}

	@Override
	public RateLimiter create(String name, RateLimiterConfig config, Ticker ticker, Scheduler scheduler) {
		ResolvedInstance<RateLimiterConfig> settings = this.settings.obtain().instance(name);
		if (settings.backend() == Backend.LOCAL) {
			return RateLimiter.of(name, config, ticker, scheduler);
		}
		return new RedisRateLimiter(name, config, this.gcra.obtain(), scheduler, settings.onBackendFailure(),
				settings.backendTimeout());
	}

	@Override
	public void start() {
		this.running = true;
	}

	/**
	 * Stops every Redis-backed limiter made here: decisions fail (and their failure
	 * policy answers) from now on.
	 */
	@Override
	public void stop() {
		this.running = false;
		RedisGcra gcra = this.made;
		if (gcra != null) {
			gcra.close();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
