package dev.resilience.boot.redis;

import dev.resilience.boot.autoconfigure.ConditionalOnResilienceEnabled;
import dev.resilience.boot.autoconfigure.ResilienceConfigurations;
import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Rate limiters with {@code backend: redis}: when Spring Data Redis and Lettuce are on
 * the class path, the rate limiter registry makes such instances on the application's
 * Redis connection.
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ LettuceConnectionFactory.class, RedisClusterAsyncCommands.class })
@ConditionalOnResilienceEnabled
// Binds the properties itself, so that it stands even where ResilienceAutoConfiguration
// is
// excluded (the factory is then simply unused).
@EnableConfigurationProperties(ResilienceProperties.class)
public final class ResilienceRedisAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RateLimiterRegistry.Factory redisRateLimiterFactory(ObjectProvider<ResilienceConfigurations> configurations,
			ObjectProvider<RedisConnectionFactory> connectionFactory) {
		return new RedisRateLimiterFactory(configurations, connectionFactory);
	}

}
