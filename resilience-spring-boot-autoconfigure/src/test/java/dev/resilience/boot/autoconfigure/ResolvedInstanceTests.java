package dev.resilience.boot.autoconfigure;

import java.time.Duration;

import dev.resilience.boot.autoconfigure.ResilienceProperties.Backend;
import dev.resilience.boot.autoconfigure.ResilienceProperties.OnBackendFailure;
import dev.resilience.ratelimiter.RateLimiterConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every instance's settings, core and starter-only, are resolved once at startup along
 * the same base-config chain, into one record that health and the Redis backend read.
 */
class ResolvedInstanceTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withPropertyValues("resilience.ratelimiter.configs.default.allow-health-indicator-to-fail=true",
				"resilience.ratelimiter.configs.default.backend-timeout=250ms",
				"resilience.ratelimiter.configs.default.limit-for-period=20",
				"resilience.ratelimiter.configs.shared.register-health-indicator=false",
				"resilience.ratelimiter.configs.shared.on-backend-failure=deny",
				"resilience.ratelimiter.instances.api.base-config=shared",
				"resilience.ratelimiter.instances.api.max-keys=7",
				"resilience.ratelimiter.instances.own.allow-health-indicator-to-fail=false");

	@Test
	void starterSettingsFollowTheSameChainAsTheCoreConfiguration() {
		this.contextRunner.run((context) -> {
			ResolvedPrimitive<RateLimiterConfig> limiters = context.getBean(ResilienceConfigurations.class)
				.rateLimiters();
			ResolvedInstance<RateLimiterConfig> api = limiters.instance("api");
			// Its own, then shared's, then default's, then the library's.
			assertThat(api.config().maxKeys()).isEqualTo(7);
			assertThat(api.config().limitForPeriod()).isEqualTo(20);
			assertThat(api.registerHealthIndicator()).isFalse();
			assertThat(api.onBackendFailure()).isEqualTo(OnBackendFailure.DENY);
			assertThat(api.allowHealthIndicatorToFail()).isTrue();
			assertThat(api.backendTimeout()).isEqualTo(Duration.ofMillis(250));
			assertThat(api.backend()).isEqualTo(Backend.LOCAL);
			ResolvedInstance<RateLimiterConfig> own = limiters.instance("own");
			assertThat(own.allowHealthIndicatorToFail()).isFalse();
			assertThat(own.registerHealthIndicator()).isTrue();
			assertThat(own.backendTimeout()).isEqualTo(Duration.ofMillis(250));
			assertThat(own.onBackendFailure()).isEqualTo(OnBackendFailure.ALLOW);
		});
	}

	@Test
	void anInstanceTheFilesDoNotNameGetsTheDefaultConfigsResolution() {
		this.contextRunner.run((context) -> {
			ResolvedPrimitive<RateLimiterConfig> limiters = context.getBean(ResilienceConfigurations.class)
				.rateLimiters();
			ResolvedInstance<RateLimiterConfig> made = limiters.instance("madeByAnAnnotation");
			assertThat(made).isSameAs(limiters.defaults());
			assertThat(made.allowHealthIndicatorToFail()).isTrue();
			assertThat(made.config().limitForPeriod()).isEqualTo(20);
			assertThat(made.config())
				.isSameAs(context.getBean(dev.resilience.ratelimiter.RateLimiterRegistry.class).defaultConfig());
		});
	}

	@Test
	void anInstanceOnlyACustomizerNamesStartsFromTheDefaultConfig() {
		this.contextRunner
			.withBean(ConfigCustomizer.class, () -> ConfigCustomizer.rateLimiter("custom", (b) -> b.maxKeys(3)))
			.run((context) -> {
				ResolvedInstance<RateLimiterConfig> custom = context.getBean(ResilienceConfigurations.class)
					.rateLimiters()
					.instance("custom");
				assertThat(custom.config().maxKeys()).isEqualTo(3);
				assertThat(custom.config().limitForPeriod()).isEqualTo(20);
				assertThat(custom.allowHealthIndicatorToFail()).isTrue();
			});
	}

	@Test
	void theLookUpReturnsTheRecordResolvedAtStartup() {
		this.contextRunner.run((context) -> {
			ResolvedPrimitive<RateLimiterConfig> limiters = context.getBean(ResilienceConfigurations.class)
				.rateLimiters();
			assertThat(limiters.instance("api")).isSameAs(limiters.instance("api"));
			assertThat(limiters.instances()).containsOnlyKeys("api", "own");
			assertThat(limiters.configs()).containsOnlyKeys("default", "shared");
		});
	}

}
