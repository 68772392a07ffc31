package dev.resilience.core;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The real scheduler, bounded in time: a task runs, a cancelled one does not, and a sleep
 * ends early when the thread is interrupted.
 */
@Timeout(5)
class SystemSchedulerTests {

	@Test
	void runsAScheduledTaskOnItsDaemonThread() throws InterruptedException {
		CountDownLatch ran = new CountDownLatch(1);
		String[] thread = new String[1];
		Scheduler.system().schedule(() -> {
			thread[0] = Thread.currentThread().getName();
			ran.countDown();
		}, TimeUnit.MILLISECONDS.toNanos(1));
		assertThat(ran.await(2, TimeUnit.SECONDS)).isTrue();
		assertThat(thread[0]).isEqualTo("resilience-scheduler");
	}

	@Test
	void aCancelledTaskDoesNotRun() throws InterruptedException {
		CountDownLatch ran = new CountDownLatch(1);
		Scheduler.Cancellable task = Scheduler.system().schedule(ran::countDown, TimeUnit.SECONDS.toNanos(30));
		assertThat(task.cancel()).isTrue();
		assertThat(ran.getCount()).isEqualTo(1);
	}

	@Test
	void sleepEndsWithInterruptedExceptionWhenInterrupted() {
		Thread.currentThread().interrupt();
		assertThatExceptionOfType(InterruptedException.class)
			.isThrownBy(() -> Scheduler.system().sleep(TimeUnit.SECONDS.toNanos(30)));
	}

}
