package dev.resilience.core;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadFullException;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.circuitbreaker.CallNotPermittedException;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerConfig;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A rejection throws one exception per primitive (and rejecting state), made once: it
 * still names the instance and the state, nothing a caller does to it changes it, and a
 * rate limiter's retry-after hint is the bucket's at the moment it is asked.
 */
class SharedRejectionTests {

	private final FakeTicker ticker = new FakeTicker();

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	@Test
	void anOpenBreakerThrowsOneExceptionThatNamesItAndItsState() {
		CircuitBreaker breaker = breaker();
		breaker.transitionTo(CircuitBreaker.State.OPEN);
		CallNotPermittedException first = rejection(breaker);
		CallNotPermittedException second = rejection(breaker);
		assertThat(second).isSameAs(first);
		assertThat(first.state()).isEqualTo(CircuitBreaker.State.OPEN);
		assertThat(first.instanceName()).isEqualTo("backend");
		assertThat(first).hasMessage("CircuitBreaker 'backend' is OPEN and does not permit further calls");
		assertThat(first.isRejection()).isTrue();
	}

	@Test
	void eachRejectingStateHasItsOwnException() {
		CircuitBreaker breaker = CircuitBreaker.of("backend",
				CircuitBreakerConfig.builder().permittedNumberOfCallsInHalfOpenState(1).build(), this.ticker,
				this.scheduler);
		breaker.transitionTo(CircuitBreaker.State.OPEN);
		CallNotPermittedException open = rejection(breaker);
		breaker.transitionTo(CircuitBreaker.State.FORCED_OPEN);
		CallNotPermittedException forced = rejection(breaker);
		breaker.transitionTo(CircuitBreaker.State.HALF_OPEN);
		breaker.acquirePermit();
		CallNotPermittedException halfOpen = rejection(breaker);
		assertThat(forced.state()).isEqualTo(CircuitBreaker.State.FORCED_OPEN);
		assertThat(forced).hasMessageContaining("is FORCED_OPEN");
		assertThat(halfOpen.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
		assertThat(halfOpen).hasMessageContaining("is HALF_OPEN");
		assertThat(Set.of(open, forced, halfOpen)).hasSize(3);
		// A new entry into OPEN throws the same one as the first entry did.
		breaker.transitionTo(CircuitBreaker.State.OPEN);
		assertThat(rejection(breaker)).isSameAs(open);
	}

	@Test
	void aSharedRejectionCannotBeChangedByItsCatchers() {
		CircuitBreaker breaker = breaker();
		breaker.transitionTo(CircuitBreaker.State.OPEN);
		CallNotPermittedException rejection = rejection(breaker);
		// What a try-with-resources, a logging framework or a reactive library may do to
		// an exception it sees.
		rejection.addSuppressed(new IllegalStateException("close failed"));
		rejection.setStackTrace(new StackTraceElement[] { new StackTraceElement("A", "b", "A.java", 1) });
		assertThatIllegalStateException().isThrownBy(() -> rejection.initCause(new RuntimeException("cause")));
		CallNotPermittedException next = rejection(breaker);
		assertThat(next).isSameAs(rejection);
		assertThat(next.getSuppressed()).isEmpty();
		assertThat(next.getStackTrace()).isEmpty();
		assertThat(next.getCause()).isNull();
	}

	@Test
	void aRateLimiterRejectionTellsTheWaitAsOfTheMomentItIsAsked() {
		RateLimiter limiter = limiter(1, Duration.ZERO);
		limiter.acquirePermission(1);
		RequestNotPermittedException rejection = rejection(limiter);
		assertThat(rejection.retryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
		assertThat(rejection).hasMessage("RateLimiter 'api' does not permit further calls");
		this.ticker.advance(Duration.ofSeconds(4));
		RequestNotPermittedException later = rejection(limiter);
		assertThat(later).isSameAs(rejection);
		assertThat(rejection.retryAfterNanos()).isEqualTo(Duration.ofSeconds(6).toNanos());
		this.ticker.advance(Duration.ofSeconds(6));
		assertThat(rejection.retryAfterNanos()).isZero();
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
	}

	@Test
	void aRateLimiterRejectionBeyondTheTimeoutTellsTheWholeWait() {
		RateLimiter limiter = limiter(1, Duration.ofSeconds(1));
		limiter.acquirePermission(1);
		assertThat(rejection(limiter).retryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
		// Nothing was reserved by the rejected call.
		this.ticker.advance(Duration.ofSeconds(10));
		assertThat(limiter.tryAcquirePermission(1)).isTrue();
	}

	@Test
	void aRateLimiterRejectionOfMorePermitsTellsTheirWait() {
		RateLimiter limiter = limiter(2, Duration.ZERO);
		limiter.acquirePermission(2);
		RequestNotPermittedException one = catchThrowableOfType(RequestNotPermittedException.class,
				() -> limiter.acquirePermission(1));
		RequestNotPermittedException two = catchThrowableOfType(RequestNotPermittedException.class,
				() -> limiter.acquirePermission(2));
		assertThat(two).isNotSameAs(one);
		assertThat(two.retryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
		RequestNotPermittedException oneAgain = catchThrowableOfType(RequestNotPermittedException.class,
				() -> limiter.acquirePermission(1));
		assertThat(oneAgain.retryAfterNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
	}

	@Test
	void aKeyRejectionTellsTheWaitOfItsKey() {
		RateLimiter limiter = limiter(1, Duration.ZERO);
		limiter.forKey("alice").acquirePermission(1);
		this.ticker.advance(Duration.ofSeconds(3));
		limiter.forKey("bob").acquirePermission(1);
		RequestNotPermittedException alice = rejection(limiter.forKey("alice"));
		RequestNotPermittedException bob = rejection(limiter.forKey("bob"));
		assertThat(alice.retryAfterNanos()).isEqualTo(Duration.ofSeconds(7).toNanos());
		assertThat(bob.retryAfterNanos()).isEqualTo(Duration.ofSeconds(10).toNanos());
		assertThat(alice.instanceName()).isEqualTo("api");
	}

	@Test
	void aFullBulkheadThrowsOneExceptionForItAndItsKeys() {
		Bulkhead bulkhead = Bulkhead.of("pool", BulkheadConfig.builder().maxConcurrentCalls(1).build());
		bulkhead.acquirePermission();
		Bulkhead key = bulkhead.forKey("alice");
		key.acquirePermission();
		BulkheadFullException first = catchThrowableOfType(BulkheadFullException.class, bulkhead::acquirePermission);
		BulkheadFullException second = catchThrowableOfType(BulkheadFullException.class, key::acquirePermission);
		assertThat(second).isSameAs(first);
		assertThat(first).hasMessage("Bulkhead 'pool' is full and does not permit further calls");
		assertThat(bulkhead.metrics().totalRejectedCalls()).isEqualTo(2);
	}

	@Test
	void aFullThreadPoolBulkheadFailsEveryRefusedCallWithItsOneException() throws Exception {
		ThreadPoolBulkhead pool = ThreadPoolBulkhead.of("workers",
				ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(1).maxThreadPoolSize(1).queueCapacity(0).build());
		// The one thread stays busy until released, so that no place frees up meanwhile.
		CountDownLatch release = new CountDownLatch(1);
		try {
			CompletableFuture<String> running = pool.submit(() -> {
				release.await();
				return CompletableFuture.completedFuture("done");
			});
			CompletableFuture<String> first = pool.submit(() -> CompletableFuture.completedFuture("never"));
			CompletableFuture<String> second = pool.submit(() -> CompletableFuture.completedFuture("never"));
			Throwable one = catchThrowableOfType(ExecutionException.class, first::get).getCause();
			Throwable two = catchThrowableOfType(ExecutionException.class, second::get).getCause();
			assertThat(one).isInstanceOf(BulkheadFullException.class)
				.hasMessage("Bulkhead 'workers' is full and does not permit further calls");
			assertThat(two).isSameAs(one);
			assertThat(one.getStackTrace()).isEmpty();
			release.countDown();
			assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("done");
		}
		finally {
			release.countDown();
			pool.close();
		}
	}

	@Test
	void threadsRejectedAtOnceEachGetTheBreakersRejectionAndEveryOneIsCounted() throws Exception {
		CircuitBreaker breaker = breaker();
		breaker.transitionTo(CircuitBreaker.State.OPEN);
		int threads = 4;
		int calls = 20_000;
		Set<Throwable> seen = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
		AtomicInteger wrong = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			Future<?>[] futures = new Future<?>[threads];
			for (int t = 0; t < threads; t++) {
				futures[t] = pool.submit(() -> {
					start.await();
					for (int i = 0; i < calls; i++) {
						CallNotPermittedException rejection = rejection(breaker);
						if (rejection.state() != CircuitBreaker.State.OPEN
								|| !"backend".equals(rejection.instanceName())) {
							wrong.incrementAndGet();
						}
						seen.add(rejection);
					}
					return null;
				});
			}
			start.countDown();
			for (Future<?> future : futures) {
				future.get(30, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(wrong).hasValue(0);
		// Racing first rejections may each make one; never more than the racers.
		assertThat(seen).hasSizeBetween(1, threads);
		assertThat(breaker.metrics().notPermittedCalls()).isEqualTo((long) threads * calls);
	}

	/** A limiter of {@code limit} permits per 10 seconds, named "api", on fake time. */
	private RateLimiter limiter(int limit, Duration timeout) {
		return RateLimiter.of("api",
				RateLimiterConfig.builder()
					.limitForPeriod(limit)
					.limitRefreshPeriod(Duration.ofSeconds(10))
					.timeoutDuration(timeout)
					.build(),
				this.ticker, this.scheduler);
	}

	private CircuitBreaker breaker() {
		return CircuitBreaker.of("backend", CircuitBreakerConfig.ofDefaults(), this.ticker, this.scheduler);
	}

	private static CallNotPermittedException rejection(CircuitBreaker breaker) {
		CallNotPermittedException rejection = catchThrowableOfType(CallNotPermittedException.class,
				breaker::acquirePermit);
		assertThat(rejection).as("rejected").isNotNull();
		return rejection;
	}

	private static RequestNotPermittedException rejection(RateLimiter limiter) {
		RequestNotPermittedException rejection = catchThrowableOfType(RequestNotPermittedException.class,
				() -> limiter.acquirePermission(1));
		assertThat(rejection).as("rejected").isNotNull();
		return rejection;
	}

}
