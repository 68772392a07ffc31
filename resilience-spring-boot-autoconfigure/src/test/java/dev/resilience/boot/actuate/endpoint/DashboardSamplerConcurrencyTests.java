package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readers of the samples while the sampler samples and instances come and go: every
 * reader sees whole samples only (every history array of {@code last - first + 1}
 * entries, ending at the same sample), never more than 180, and {@code since} honoured.
 */
class DashboardSamplerConcurrencyTests {

	@Test
	@Tag("concurrency")
	void readersSeeWholeSamplesWhileTheSamplerWrites() throws InterruptedException {
		FakeTicker ticker = new FakeTicker();
		RateLimiterRegistry limiters = RateLimiterRegistry.of(
				RateLimiterConfig.builder().limitForPeriod(1_000_000).timeoutDuration(Duration.ZERO).build(), ticker,
				new ManualScheduler(ticker));
		ResilienceEndpoint.Registries registries = new ResilienceEndpoint.Registries(null, null, limiters, null, null,
				null);
		DashboardSampler sampler = new DashboardSampler(ticker, ResilienceEndpoint.samplerSources(registries, null),
				null);
		AtomicBoolean done = new AtomicBoolean();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> readers = new ArrayList<>();
		for (int r = 0; r < 2; r++) {
			readers.add(new Thread(() -> {
				try {
					while (!done.get()) {
						long since = ThreadLocalRandom.current().nextLong(-5, 700);
						DashboardSampler.Readout readout = sampler.read(since);
						assertThat(readout.length()).isEqualTo((int) Math.max(0, readout.last() - readout.first() + 1))
							.isLessThanOrEqualTo(DashboardSampler.CAPACITY);
						if (since >= Math.max(1, readout.last() - DashboardSampler.CAPACITY + 1)) {
							assertThat(readout.first()).isEqualTo(since + 1);
						}
						for (double[][] history : readout.histories().values()) {
							for (double[] counter : history) {
								assertThat(counter).hasSize(readout.length());
							}
						}
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}));
		}
		readers.forEach(Thread::start);
		for (int sample = 1; sample <= 600; sample++) {
			String name = "limiter-" + (sample % 7);
			RateLimiter limiter = limiters.instance(name);
			limiter.tryAcquirePermission(1);
			if (sample % 5 == 0) {
				limiters.remove("limiter-" + ((sample + 3) % 7));
			}
			ticker.advance(Duration.ofSeconds(1));
			sampler.sample(ticker.read());
		}
		done.set(true);
		for (Thread reader : readers) {
			reader.join(TimeUnit.SECONDS.toMillis(30));
			assertThat(reader.isAlive()).isFalse();
		}
		assertThat(failure.get()).isNull();
		DashboardSampler.Readout last = sampler.read(null);
		assertThat(last.last()).isEqualTo(600);
		assertThat(last.first()).isEqualTo(600 - DashboardSampler.CAPACITY + 1);
		// Only the instances still registered are kept.
		assertThat(last.histories()).hasSameSizeAs(limiters.all());
	}

}
