package dev.resilience.boot.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.resilience.boot.autoconfigure.ResilienceProperties.OnBackendFailure;
import dev.resilience.core.Scheduler;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.data.redis.connection.RedisConnection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Permits that nobody uses go back to Redis: those of a waiter that gives up
 * (interrupted, or its reservation cancelled) while its reservation is the last one, and
 * those Redis took for a call that was denied because Redis answered too late.
 */
@Tag("redis")
@Timeout(120)
class RedisGiveBackTests {

	private static final AtomicInteger names = new AtomicInteger();

	private static RedisServer server;

	private final RedisClients clients = new RedisClients(server.port());

	@BeforeAll
	static void startRedis() {
		server = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() throws Exception {
		if (server != null) {
			server.close();
		}
	}

	@AfterEach
	void closeClients() {
		this.clients.close();
	}

	private static RateLimiterConfig hourly(Duration timeout) {
		return RateLimiterConfig.builder()
			.limitForPeriod(1)
			.limitRefreshPeriod(Duration.ofHours(1))
			.timeoutDuration(timeout)
			.build();
	}

	@Test
	void anInterruptedWaiterGivesItsPermitsBack() throws Exception {
		SleepWatcher scheduler = new SleepWatcher();
		RedisRateLimiter limiter = this.clients.limiter("interrupted-" + names.incrementAndGet(),
				hourly(Duration.ofHours(3)), OnBackendFailure.DENY, Duration.ofSeconds(2), scheduler);
		limiter.acquirePermission(1);
		AtomicReference<Throwable> outcome = new AtomicReference<>();
		Thread waiter = new Thread(() -> {
			try {
				limiter.acquirePermission(1);
			}
			catch (Throwable ex) {
				outcome.set(ex);
			}
		});
		waiter.start();
		assertThat(scheduler.sleeping.await(10, TimeUnit.SECONDS)).as("the waiter waits for its permit").isTrue();
		assertThat(limiter.metrics().waitingThreads()).as("waiting threads while it waits").isEqualTo(1);
		waiter.interrupt();
		waiter.join(10_000);
		assertThat(outcome.get()).isInstanceOf(RequestNotPermittedException.class);
		assertThat(limiter.metrics().waitingThreads()).as("waiting threads once it gave up").isZero();
		// The next caller's permit comes in an hour, not behind the one given up.
		assertThat(Duration.ofNanos(limiter.reservePermission(1))).isBetween(Duration.ofMinutes(59),
				Duration.ofHours(1));
	}

	@Test
	void aCancelledReservationGivesItsPermitsBackOnlyWhileItIsTheLast() throws Exception {
		RedisRateLimiter limiter = this.clients.limiter("cancelled-" + names.incrementAndGet(),
				hourly(Duration.ofMinutes(150)), OnBackendFailure.DENY, Duration.ofSeconds(2));
		assertThat(limiter.reserve(1)).isSameAs(RateLimiter.Reservation.NOW);
		RateLimiter.Reservation first = limiter.reserve(1);
		RateLimiter.Reservation second = limiter.reserve(1);
		assertThat(Duration.ofNanos(first.waitNanos())).isBetween(Duration.ofMinutes(59), Duration.ofHours(1));
		assertThat(Duration.ofNanos(second.waitNanos())).isBetween(Duration.ofMinutes(119), Duration.ofHours(2));
		assertThat(first).isInstanceOf(RedisRateLimiter.Waiting.class);
		// Someone waits behind the first: its slot passes unused.
		assertThat(first.cancel()).isTrue();
		assertThat(((RedisRateLimiter.Waiting) first).givenBack().get(10, TimeUnit.SECONDS)).isFalse();
		// The second is the last one: its permit goes back.
		assertThat(second.cancel()).isTrue();
		assertThat(((RedisRateLimiter.Waiting) second).givenBack().get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(second.cancel()).as("once").isFalse();
		assertThat(Duration.ofNanos(limiter.reservePermission(1))).isBetween(Duration.ofMinutes(119),
				Duration.ofHours(2));
		// Three hours ahead, past the timeout of two and a half.
		RateLimiter.Reservation refused = limiter.reserve(1);
		assertThat(refused.isGranted()).isFalse();
		assertThat(Duration.ofNanos(refused.waitNanos())).as("the wait it would have needed")
			.isBetween(Duration.ofMinutes(179), Duration.ofHours(3));
	}

	@Test
	@Tag("concurrency")
	void reservationsCancelledAtRandomNeverLetTwoKeptOnesShareASlot() throws Exception {
		Duration interval = Duration.ofMinutes(1);
		RedisRateLimiter limiter = this.clients.limiter("slots-" + names.incrementAndGet(),
				RateLimiterConfig.builder()
					.limitForPeriod(1)
					.limitRefreshPeriod(interval)
					.timeoutDuration(Duration.ofDays(1))
					.build(),
				OnBackendFailure.DENY, Duration.ofSeconds(5));
		List<Long> kept = java.util.Collections.synchronizedList(new ArrayList<>());
		AtomicInteger answered = new AtomicInteger();
		CountDownLatch start = new CountDownLatch(1);
		List<Thread> callers = new ArrayList<>();
		int attempts = 60;
		for (int t = 0; t < 8; t++) {
			java.util.Random random = new java.util.Random(t);
			Thread caller = new Thread(() -> {
				try {
					start.await();
					for (int i = 0; i < attempts; i++) {
						long before = System.nanoTime();
						RateLimiter.Reservation reservation = limiter.reserve(1);
						assertThat(reservation.isGranted()).isTrue();
						if (reservation instanceof RedisRateLimiter.Waiting waiting && random.nextBoolean()) {
							assertThat(reservation.cancel()).isTrue();
							// Answered either way; true only when nobody had reserved
							// behind it.
							waiting.givenBack().get(10, TimeUnit.SECONDS);
							answered.incrementAndGet();
						}
						else {
							// When the permit falls due, as this caller's clock sees it.
							kept.add(before + reservation.waitNanos());
						}
					}
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			caller.start();
			callers.add(caller);
		}
		start.countDown();
		for (Thread caller : callers) {
			caller.join(60_000);
		}
		assertThat(kept.size() + answered.get()).as("every reservation made and every give back answered")
			.isEqualTo(8 * attempts);
		// Whether a random cancel found its reservation the last one depends on how the
		// callers interleave, so the give back is checked once the race is over: nobody
		// reserves behind this one, its permit must go back, and the next caller takes
		// that same slot, still an interval after the last kept one.
		long tailBefore = System.nanoTime();
		RateLimiter.Reservation tail = limiter.reserve(1);
		assertThat(tail).isInstanceOf(RedisRateLimiter.Waiting.class);
		assertThat(tail.cancel()).isTrue();
		assertThat(((RedisRateLimiter.Waiting) tail).givenBack().get(10, TimeUnit.SECONDS))
			.as("the last reservation, cancelled, gives its permit back")
			.isTrue();
		long before = System.nanoTime();
		RateLimiter.Reservation next = limiter.reserve(1);
		kept.add(before + next.waitNanos());
		assertThat(Math.abs((before + next.waitNanos()) - (tailBefore + tail.waitNanos())))
			.as("the next caller takes the slot given back (ns)")
			.isLessThan(Duration.ofSeconds(2).toNanos());
		// A bucket of one: kept reservations fall due at least one interval apart (less
		// the time a call takes, which this side of the wire cannot tell apart).
		List<Long> due = new ArrayList<>(kept);
		java.util.Collections.sort(due);
		for (int i = 1; i < due.size(); i++) {
			assertThat(Duration.ofNanos(due.get(i) - due.get(i - 1)))
				.as("between kept reservations %d and %d", i - 1, i)
				.isGreaterThan(interval.minusSeconds(2));
		}
	}

	@Test
	void callsDeniedBecauseRedisAnsweredLateTakeNothingFromTheBudget() throws Exception {
		Budget budget = runThroughPauses(OnBackendFailure.DENY);
		assertThat(budget.failures()).as("calls denied on the backend timeout").isGreaterThanOrEqualTo(8);
		assertThat((double) budget.consumed()).as("permits Redis holds as taken")
			.isCloseTo(budget.granted(), within(2.0));
	}

	@Test
	void aLateGiveBackNeverFreesTheSlotOfACallerWhoWaitsBehindIt() throws Exception {
		String name = "behind-" + names.incrementAndGet();
		RateLimiterConfig config = RateLimiterConfig.builder()
			.limitForPeriod(1)
			.limitRefreshPeriod(Duration.ofMinutes(1))
			.timeoutDuration(Duration.ofDays(1))
			.build();
		// Two callers on one connection, so that Redis runs their commands in the order
		// they were sent: one gives up on Redis after 100 ms, the other waits for it.
		RedisGcra gcra = new RedisGcra(this.clients.connect());
		gcra.warmUp(RedisRateLimiterFactory.WARM_UP_TIMEOUT);
		RedisRateLimiter hasty = new RedisRateLimiter(name, config, gcra, Scheduler.system(), OnBackendFailure.DENY,
				Duration.ofMillis(100));
		RedisRateLimiter patient = new RedisRateLimiter(name, config, gcra, Scheduler.system(), OnBackendFailure.DENY,
				Duration.ofSeconds(10));
		try (RedisConnection observer = this.clients.connect().getConnection()) {
			observer.execute("CLIENT", bytes("PAUSE"), bytes("500"));
			assertThat(hasty.tryAcquirePermission(1)).as("denied: Redis answered too late").isFalse();
			// Redis grants the hasty caller's permit once the pause ends, then reserves
			// the
			// next slot for this one; only then does the hasty caller's give back arrive.
			assertThat(Duration.ofNanos(patient.reservePermission(1))).isBetween(Duration.ofSeconds(55),
					Duration.ofMinutes(1));
		}
		// Answered after the give back, on the same connection.
		assertThat(patient.forKey("flush").tryAcquirePermission(1)).isTrue();
		assertThat(Duration.ofNanos(patient.reservePermission(1))).as("the slot after the patient caller's")
			.isBetween(Duration.ofSeconds(115), Duration.ofMinutes(2));
	}

	@Test
	void callsAllowedBecauseRedisAnsweredLateStayCharged() throws Exception {
		Budget budget = runThroughPauses(OnBackendFailure.ALLOW);
		assertThat(budget.failures()).as("calls allowed on the backend timeout").isGreaterThanOrEqualTo(8);
		// Each call that went through on a timeout took its permit once Redis ran it.
		assertThat((double) budget.consumed()).isCloseTo(budget.granted(), within(2.0));
	}

	/**
	 * Eight threads take permits while Redis stops answering for half a second, three
	 * times ({@code CLIENT PAUSE}: the commands sent meanwhile run when it ends, after
	 * their callers gave up), then counts what the callers were granted and what Redis
	 * holds as taken.
	 */
	private Budget runThroughPauses(OnBackendFailure policy) throws Exception {
		int capacity = 1_000_000;
		// A bucket no test run can empty, refilled by about one permit a minute.
		RateLimiterConfig config = RateLimiterConfig.builder()
			.limitForPeriod(capacity)
			.limitRefreshPeriod(Duration.ofDays(700))
			.timeoutDuration(Duration.ZERO)
			.build();
		RedisRateLimiter limiter = this.clients.limiter("late-" + names.incrementAndGet(), config, policy,
				Duration.ofMillis(100));
		AtomicBoolean stop = new AtomicBoolean();
		AtomicInteger granted = new AtomicInteger();
		List<Thread> workers = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			Thread worker = new Thread(() -> {
				while (!stop.get()) {
					if (limiter.tryAcquirePermission(1)) {
						granted.incrementAndGet();
					}
				}
			});
			worker.start();
			workers.add(worker);
		}
		try (RedisConnection observer = this.clients.connect().getConnection()) {
			for (int round = 0; round < 3; round++) {
				long failures = limiter.backendFailures();
				observer.execute("CLIENT", bytes("PAUSE"), bytes("500"));
				// Bounded waits on real I/O: every worker gave up on Redis at least once,
				// then Redis answers again.
				await().atMost(Duration.ofSeconds(20)).until(() -> limiter.backendFailures() >= failures + 8);
				await().atMost(Duration.ofSeconds(20)).until(limiter::backendAvailable);
			}
		}
		finally {
			stop.set(true);
			for (Thread worker : workers) {
				worker.join(20_000);
			}
		}
		// Once Redis answers this decision, every late answer before it has arrived;
		// what they gave back is in the state the next decision reads.
		int taken = (limiter.tryAcquirePermission(1) ? 1 : 0) + (limiter.tryAcquirePermission(1) ? 1 : 0);
		assertThat(taken).isEqualTo(2);
		assertThat(limiter.backendAvailable()).isTrue();
		return new Budget(granted.get() + taken, capacity - limiter.metrics().availablePermissions(),
				limiter.backendFailures());
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * What callers were granted, what Redis holds as taken, and how many decisions the
	 * failure policy took.
	 */
	private record Budget(long granted, long consumed, long failures) {
	}

	/**
	 * The system scheduler, saying when a caller starts waiting for its permits.
	 */
	private static final class SleepWatcher implements Scheduler {

		final CountDownLatch sleeping = new CountDownLatch(1);

		@Override
		public Cancellable schedule(Runnable task, long delayNanos) {
			return Scheduler.system().schedule(task, delayNanos);
		}

		@Override
		public void sleep(long nanos) throws InterruptedException {
			this.sleeping.countDown();
			Scheduler.system().sleep(nanos);
		}

	}

}
