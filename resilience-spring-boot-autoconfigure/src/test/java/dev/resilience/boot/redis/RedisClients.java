package dev.resilience.boot.redis;

import dev.resilience.boot.autoconfigure.ResilienceProperties;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Lettuce connection factories to one test server, each standing for one instance ("pod")
 * of an application; closed together.
 */
final class RedisClients implements AutoCloseable {

	private final int port;

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	RedisClients(int port) {
		this.port = port;
	}

	LettuceConnectionFactory connect() {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.port));
		factory.afterPropertiesSet();
		factory.start();
		this.factories.add(factory);
		return factory;
	}

	RedisRateLimiter limiter(String name, RateLimiterConfig config, ResilienceProperties.OnBackendFailure onFailure,
			Duration backendTimeout) {
		return limiter(name, config, onFailure, backendTimeout, connect());
	}

	RedisRateLimiter limiter(String name, RateLimiterConfig config, ResilienceProperties.OnBackendFailure onFailure,
			Duration backendTimeout, LettuceConnectionFactory factory) {
		return new RedisRateLimiter(name, config, gcra(factory), Scheduler.system(), onFailure, backendTimeout);
	}

	RedisRateLimiter limiter(String name, RateLimiterConfig config, ResilienceProperties.OnBackendFailure onFailure,
			Duration backendTimeout, Scheduler scheduler) {
		return new RedisRateLimiter(name, config, gcra(connect()), scheduler, onFailure, backendTimeout);
	}

	/**
	 * Returns the rate limiter registry of one pod whose every instance is on Redis, as
	 * the starter makes it.
	 */
	RateLimiterRegistry registry(RateLimiterConfig defaultConfig, ResilienceProperties.OnBackendFailure onFailure,
			Duration backendTimeout) {
		RedisGcra gcra = gcra(connect());
		return RateLimiterRegistry.of(defaultConfig, Ticker.system(), Scheduler.system(), (name, config, ticker,
				scheduler) -> new RedisRateLimiter(name, config, gcra, scheduler, onFailure, backendTimeout));
	}

	private static RedisGcra gcra(LettuceConnectionFactory factory) {
		RedisGcra gcra = new RedisGcra(factory);
		// As the starter's factory does before it makes the first limiter.
		gcra.warmUp(RedisRateLimiterFactory.WARM_UP_TIMEOUT);
		return gcra;
	}

	@Override
	public void close() {
		this.factories.forEach(LettuceConnectionFactory::destroy);
	}

}
