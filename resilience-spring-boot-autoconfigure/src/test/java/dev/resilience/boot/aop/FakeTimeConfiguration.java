package dev.resilience.boot.aop;

import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Replaces the starter's system ticker and scheduler with fake ones, so that waits take
 * no real time and deadlines fire when a test advances the clock.
 */
@Configuration(proxyBeanMethods = false)
class FakeTimeConfiguration {

	@Bean
	FakeTicker fakeTicker() {
		return new FakeTicker();
	}

	@Bean
	ManualScheduler manualScheduler(FakeTicker ticker) {
		return new ManualScheduler(ticker);
	}

}
