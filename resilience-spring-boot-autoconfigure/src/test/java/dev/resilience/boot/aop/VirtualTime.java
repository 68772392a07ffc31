package dev.resilience.boot.aop;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The primitives' ticker and scheduler on Reactor's virtual time, so that one clock
 * drives both the method's publisher ({@code Flux.interval}) and the stages' deadlines
 * and waits under {@code StepVerifier.withVirtualTime(..., virtualTime::next, ...)}.
 * StepVerifier disposes its scheduler after each verification, so every verification gets
 * a fresh one and the ticker carries the elapsed time over (it never goes back).
 */
final class VirtualTime implements Ticker, Scheduler {

	private volatile VirtualTimeScheduler current = VirtualTimeScheduler.create();

	private volatile long offset;

	/** A fresh scheduler for the next verification, from now on the primitives' too. */
	synchronized VirtualTimeScheduler next() {
		this.offset += this.current.now(TimeUnit.NANOSECONDS);
		this.current = VirtualTimeScheduler.create();
		return this.current;
	}

	@Override
	public long read() {
		return this.offset + this.current.now(TimeUnit.NANOSECONDS);
	}

	@Override
	public Cancellable schedule(Runnable task, long delayNanos) {
		Disposable scheduled = this.current.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
		return () -> {
			boolean pending = !scheduled.isDisposed();
			scheduled.dispose();
			return pending;
		};
	}

	@Override
	public void sleep(long nanos) {
		this.current.advanceTimeBy(Duration.ofNanos(nanos));
	}

}
