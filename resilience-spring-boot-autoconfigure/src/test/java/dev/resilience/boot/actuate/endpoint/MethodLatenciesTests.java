package dev.resilience.boot.actuate.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.resilience.boot.observation.CallOutcome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rolling window of method latencies: buckets, expiry slice by slice on fake time,
 * and no call lost or counted twice across rotations under concurrent recording.
 */
class MethodLatenciesTests {

	private static final long SLICE = MethodLatencies.SLICE_NANOS;

	@Test
	void bucketsAreMonotonicAndTheirMiddlesWithinAnEighthOfTheirValues() {
		int previous = -1;
		for (long micros = 0; micros < 5_000_000; micros += 1 + micros / 50) {
			int bucket = MethodLatencies.bucket(micros * 1_000);
			assertThat(bucket).isGreaterThanOrEqualTo(previous).isLessThan(MethodLatencies.BUCKETS);
			previous = bucket;
			if (micros >= 8) {
				assertThat(Math.abs(MethodLatencies.bucketMiddleMicros(bucket) - micros)).as("%d us", micros)
					.isLessThanOrEqualTo(micros / 16.0 + 0.5);
			}
		}
		assertThat(MethodLatencies.bucket(Long.MAX_VALUE)).isEqualTo(MethodLatencies.BUCKETS - 1);
		assertThat(MethodLatencies.bucket(-5)).isZero();
	}

	@Test
	void aCallStaysInTheWindowForFiveToSixSlicesThenExpires() {
		MethodLatencies latencies = new MethodLatencies();
		long now = 3 * SLICE + 1;
		latencies.advance(now);
		latencies.record("A.call", CallOutcome.SUCCESS, 5_000_000);
		for (int slice = 1; slice <= 5; slice++) {
			latencies.advance(now + slice * SLICE);
			assertThat(latencies.snapshot().get(0).count()).as("after %d slices", slice).isEqualTo(1);
		}
		latencies.advance(now + 6 * SLICE);
		ResilienceEndpoint.MethodSnapshot expired = latencies.snapshot().get(0);
		assertThat(expired.count()).isZero();
		assertThat(expired.outcomes()).isEqualTo(new ResilienceEndpoint.Outcomes(0, 0, 0, 0));
		assertThat(expired.p50()).isNull();
		assertThat(expired.max()).isNull();
	}

	@Test
	void aLongPauseOfTheSamplerClearsTheWholeWindow() {
		MethodLatencies latencies = new MethodLatencies();
		latencies.advance(0);
		latencies.record("A.call", CallOutcome.FAILURE, 1_000_000);
		latencies.advance(SLICE);
		latencies.record("A.call", CallOutcome.REJECTED, 2_000_000);
		latencies.advance(1_000 * SLICE);
		assertThat(latencies.snapshot().get(0).count()).isZero();
		latencies.record("A.call", CallOutcome.FALLBACK, 3_000_000);
		assertThat(latencies.snapshot().get(0).outcomes()).isEqualTo(new ResilienceEndpoint.Outcomes(0, 0, 0, 1));
		assertThat(latencies.snapshot().get(0).max()).isEqualTo(3.0);
	}

	@Test
	void listsTheMethodsByName() {
		MethodLatencies latencies = new MethodLatencies();
		latencies.record("B.second", CallOutcome.SUCCESS, 1);
		latencies.record("A.first", CallOutcome.SUCCESS, 1);
		assertThat(latencies.snapshot()).extracting(ResilienceEndpoint.MethodSnapshot::method)
			.containsExactly("A.first", "B.second");
	}

	/**
	 * Writers record while the window rotates five times (so no slice leaves it): every
	 * call is in the window exactly once, in its buckets and in its outcomes, and the
	 * maximum is the largest duration recorded.
	 */
	@Test
	@Tag("concurrency")
	void noCallIsLostOrCountedTwiceAcrossRotations() throws InterruptedException {
		int writers = 4;
		int callsPerWriter = 200_000;
		for (int round = 0; round < 5; round++) {
			MethodLatencies latencies = new MethodLatencies();
			latencies.advance(0);
			AtomicLong recorded = new AtomicLong();
			CountDownLatch start = new CountDownLatch(1);
			List<Thread> threads = new ArrayList<>();
			for (int w = 0; w < writers; w++) {
				int writer = w;
				threads.add(new Thread(() -> {
					await(start);
					for (int i = 0; i < callsPerWriter; i++) {
						long duration = 1_000L * ((i * 31L + writer) % 100_000);
						latencies.record("A.call", CallOutcome.values()[i % 4], duration);
						recorded.incrementAndGet();
					}
				}));
			}
			threads.forEach(Thread::start);
			start.countDown();
			long total = (long) writers * callsPerWriter;
			// Rotate while the writers run, spread over their progress.
			for (int rotation = 1; rotation <= 5; rotation++) {
				long threshold = total * rotation / 6;
				while (recorded.get() < threshold) {
					Thread.onSpinWait();
				}
				latencies.advance(rotation * SLICE);
			}
			for (Thread thread : threads) {
				thread.join(TimeUnit.SECONDS.toMillis(30));
				assertThat(thread.isAlive()).isFalse();
			}
			ResilienceEndpoint.MethodSnapshot snapshot = latencies.snapshot().get(0);
			assertThat(snapshot.count()).isEqualTo(total);
			ResilienceEndpoint.Outcomes outcomes = snapshot.outcomes();
			assertThat(outcomes.success() + outcomes.failure() + outcomes.rejected() + outcomes.fallback())
				.isEqualTo(total);
			assertThat(outcomes.success()).isEqualTo(total / 4);
			assertThat(snapshot.max()).isEqualTo(99.999);
		}
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
