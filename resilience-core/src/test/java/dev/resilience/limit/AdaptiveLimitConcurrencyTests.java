package dev.resilience.limit;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads sampling at once (bounded stress): the limit never leaves
 * {@code [minLimit, maxLimit]} as seen by a reader, and every drop is applied exactly
 * once even when its sample found the lock busy.
 */
@Tag("concurrency")
class AdaptiveLimitConcurrencyTests {

	private static final int THREADS = 4;

	private static final int SAMPLES = 50_000;

	@Test
	void concurrentSamplesKeepEveryLimitInBoundsAndLoseNoDrop() throws Exception {
		for (LimitAlgorithm algorithm : new LimitAlgorithm[] { LimitAlgorithm.AIMD, LimitAlgorithm.GRADIENT2,
				LimitAlgorithm.VEGAS }) {
			SampledLimit limit = (SampledLimit) AdaptiveLimit
				.of(LimitConfig.builder().limitAlgorithm(algorithm).initialLimit(50).minLimit(5).maxLimit(80).build());
			long drops = stress(limit);
			assertThat(limit.dropsApplied()).as(algorithm.name()).isEqualTo(drops);
			assertThat(limit.limit()).isBetween(5, 80);
		}
	}

	private static long stress(SampledLimit limit) throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		AtomicBoolean done = new AtomicBoolean();
		AtomicReference<String> violation = new AtomicReference<>();
		long[] drops = new long[THREADS];
		List<Thread> threads = new ArrayList<>();
		for (int t = 0; t < THREADS; t++) {
			int index = t;
			threads.add(new Thread(() -> {
				SplittableRandom random = new SplittableRandom(index);
				await(start);
				for (int i = 0; i < SAMPLES; i++) {
					boolean dropped = random.nextInt(4) == 0;
					if (dropped) {
						drops[index]++;
					}
					limit.onSample(random.nextLong(50_000_000L), 1 + random.nextInt(100), dropped);
				}
			}));
		}
		Thread reader = new Thread(() -> {
			await(start);
			while (!done.get()) {
				int value = limit.limit();
				if (value < 5 || value > 80) {
					violation.set("limit " + value);
				}
			}
		});
		threads.forEach(Thread::start);
		reader.start();
		start.countDown();
		for (Thread thread : threads) {
			thread.join();
		}
		done.set(true);
		reader.join();
		assertThat(violation.get()).isNull();
		long total = 0;
		for (long count : drops) {
			total += count;
		}
		return total;
	}

	private static void await(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
