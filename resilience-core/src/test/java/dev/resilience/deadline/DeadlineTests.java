package dev.resilience.deadline;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.resilience.testing.FakeTicker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class DeadlineTests {

	private final FakeTicker ticker = new FakeTicker();

	@AfterEach
	void noDeadlineIsLeftOnTheThread() {
		assertThat(Deadline.current()).isNull();
	}

	@Test
	void theTimeLeftShrinksWithTheTickerAndStopsAtZero() {
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		assertThat(deadline.remainingNanos()).isEqualTo(Duration.ofMillis(300).toNanos());
		this.ticker.advance(Duration.ofMillis(120));
		assertThat(deadline.remainingNanos()).isEqualTo(Duration.ofMillis(180).toNanos());
		assertThat(deadline.fits(Duration.ofMillis(180).toNanos())).isTrue();
		assertThat(deadline.fits(Duration.ofMillis(181).toNanos())).isFalse();
		assertThat(deadline.isExpired()).isFalse();
		this.ticker.advance(Duration.ofMillis(200));
		assertThat(deadline.remainingNanos()).isZero();
		assertThat(deadline.isExpired()).isTrue();
	}

	@Test
	void aNegativeBudgetIsRefusedAndAHugeOneDoesNotOverflow() {
		assertThatIllegalArgumentException().isThrownBy(() -> Deadline.after(Duration.ofMillis(-1), this.ticker))
			.withMessageContaining("PT-0.001S");
		Deadline forever = Deadline.after(Duration.ofDays(365L * 1000), this.ticker);
		assertThat(forever.isExpired()).isFalse();
		assertThat(forever.remainingNanos()).isPositive();
	}

	@Test
	void withinSetsTheDeadlineForTheCallAndPutsThePreviousOneBackEvenWhenItThrows() throws Exception {
		assertThat(Deadline.remaining()).isEmpty();
		try (Deadline.Scope outer = Deadline.enter(Deadline.after(Duration.ofSeconds(10), this.ticker))) {
			Duration inside = Deadline.within(Duration.ofSeconds(2), () -> Deadline.remaining().orElseThrow());
			assertThat(inside).isEqualTo(Duration.ofSeconds(2));
			assertThat(Deadline.remaining()).contains(Duration.ofSeconds(10));
			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(() -> Deadline.within(Duration.ofSeconds(1), () -> {
					throw new IllegalStateException("the call failed");
				}));
			assertThat(Deadline.remaining()).contains(Duration.ofSeconds(10));
		}
	}

	@Test
	void aNestedDeadlineNeverExtendsTheOneAroundIt() throws Exception {
		try (Deadline.Scope outer = Deadline.enter(Deadline.after(Duration.ofSeconds(1), this.ticker))) {
			this.ticker.advance(Duration.ofMillis(400));
			// Asking for 5 s inside a request with 600 ms left still gets 600 ms.
			assertThat(Deadline.within(Duration.ofSeconds(5), () -> Deadline.remaining().orElseThrow()))
				.isEqualTo(Duration.ofMillis(600));
			try (Deadline.Scope inner = Deadline.enter(Deadline.after(Duration.ofMillis(100), this.ticker))) {
				assertThat(Deadline.remaining()).contains(Duration.ofMillis(100));
			}
			// Entering no deadline keeps the current one.
			try (Deadline.Scope none = Deadline.enter(null)) {
				assertThat(Deadline.remaining()).contains(Duration.ofMillis(600));
			}
			assertThat(Deadline.remaining()).contains(Duration.ofMillis(600));
		}
	}

	@Test
	void theCurrentDeadlineBelongsToItsThread() throws Exception {
		try (Deadline.Scope scope = Deadline.enter(Deadline.after(Duration.ofSeconds(1), this.ticker))) {
			// Carrying it to another thread is the integrations' job, not a leak of the
			// thread local.
			assertThat(CompletableFuture.supplyAsync(Deadline::current).get()).isNull();
			assertThat(Deadline.current()).isNotNull();
		}
	}

	@Test
	void detachedCodeRunsWithoutTheDeadlineWhichComesBackAfter() {
		Deadline deadline = Deadline.after(Duration.ofMillis(300), this.ticker);
		try (Deadline.Scope request = Deadline.enter(deadline)) {
			try (Deadline.Scope background = Deadline.detach()) {
				assertThat(Deadline.current()).isNull();
				assertThat(Deadline.remaining()).isEmpty();
			}
			assertThat(Deadline.current()).isSameAs(deadline);
		}
		try (Deadline.Scope nothing = Deadline.detach()) {
			assertThat(Deadline.current()).isNull();
		}
	}

	@Test
	void aDeadlineExceededIsARejectionThatNamesTheStageAndWhatWasLeft() {
		DeadlineExceededException exception = new DeadlineExceededException("inventory", DeadlineStage.RETRY,
				Duration.ofMillis(40));
		assertThat(exception.isRejection()).isTrue();
		assertThat(exception.instanceName()).isEqualTo("inventory");
		assertThat(exception.stage()).isEqualTo(DeadlineStage.RETRY);
		assertThat(exception.remaining()).isEqualTo(Duration.ofMillis(40));
		assertThat(exception.getMessage()).contains("retry 'inventory'").contains("PT0.04S");
		assertThat(exception.getStackTrace()).isEmpty();
	}

}
