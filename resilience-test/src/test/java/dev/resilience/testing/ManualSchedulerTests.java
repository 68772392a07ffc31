package dev.resilience.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.resilience.core.Scheduler;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ManualSchedulerTests {

	private final FakeTicker ticker = new FakeTicker(1_000);

	private final ManualScheduler scheduler = new ManualScheduler(this.ticker);

	@Test
	void runsTasksInDueOrderWithTheClockSetToTheirDueTime() {
		List<String> ran = new ArrayList<>();
		this.scheduler.schedule(() -> ran.add("late@" + this.ticker.read()), 300);
		this.scheduler.schedule(() -> ran.add("early@" + this.ticker.read()), 100);
		this.scheduler.schedule(() -> ran.add("early-too@" + this.ticker.read()), 100);
		this.scheduler.advance(200);
		assertThat(ran).containsExactly("early@1100", "early-too@1100");
		assertThat(this.ticker.read()).isEqualTo(1_200);
		this.scheduler.advance(Duration.ofNanos(100));
		assertThat(ran).endsWith("late@1300");
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void tasksScheduledByTasksRunIfTheyFallDueWithinTheAdvance() {
		List<Long> ran = new ArrayList<>();
		this.scheduler.schedule(() -> this.scheduler.schedule(() -> ran.add(this.ticker.read()), 50), 50);
		this.scheduler.advance(100);
		assertThat(ran).containsExactly(1_100L);
	}

	@Test
	void cancelledTasksDoNotRun() {
		List<String> ran = new ArrayList<>();
		Scheduler.Cancellable task = this.scheduler.schedule(() -> ran.add("x"), 10);
		assertThat(task.cancel()).isTrue();
		this.scheduler.advance(20);
		assertThat(ran).isEmpty();
		assertThat(this.scheduler.pendingTasks()).isZero();
	}

	@Test
	void sleepAdvancesTimeInsteadOfBlockingAndIsRecorded() throws InterruptedException {
		List<Long> ran = new ArrayList<>();
		this.scheduler.schedule(() -> ran.add(this.ticker.read()), 100);
		this.scheduler.sleep(250);
		assertThat(this.ticker.read()).isEqualTo(1_250);
		assertThat(ran).containsExactly(1_100L);
		assertThat(this.scheduler.sleeps()).containsExactly(Duration.ofNanos(250));
	}

	@Test
	void sleepHonoursAnInterruptLikeARealSleep() {
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(InterruptedException.class).isThrownBy(() -> this.scheduler.sleep(10));
		assertThat(Thread.interrupted()).isFalse();
	}

	@Test
	void timeDoesNotGoBackwards() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.ticker.advance(-1));
	}

}
