package dev.resilience.reactor;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Signal;

/*
 * Design. One subscription of one stage: completion, error and cancellation (for a Mono:
 * its element) race to set this AtomicBoolean, and only the winner is reported to the
 * primitive, so its permit is completed exactly once whatever order the signals arrive in
 * on whatever threads. onNext, onComplete and onError are serial (Reactive Streams 1.3);
 * only a cancel may come concurrently with them, hence the compare-and-set.
 */
/**
 * The outcome of one subscription of one stage, reported once.
 */
@SuppressWarnings("serial")
abstract class Outcome extends AtomicBoolean implements Consumer<Signal<Object>>, Runnable {

	private final boolean single;

	private @Nullable Object first;

	private boolean seen;

	Outcome(boolean single) {
		this.single = single;
	}

	final Flux<Object> observe(Flux<Object> inner) {
		return inner.doOnEach(this).doOnCancel(this);
	}

	@Override
	public final void accept(Signal<Object> signal) {
		if (signal.isOnNext()) {
			if (this.single) {
				if (compareAndSet(false, true)) {
					onSuccess(signal.get());
				}
			}
			else if (!this.seen) {
				// Signals are serial (Reactive Streams 1.3), so plain fields do.
				this.seen = true;
				this.first = signal.get();
			}
		}
		else if (signal.isOnComplete()) {
			if (compareAndSet(false, true)) {
				onSuccess(this.first);
			}
		}
		else if (signal.isOnError()) {
			Throwable failure = signal.getThrowable();
			if (failure != null && compareAndSet(false, true)) {
				onFailure(failure);
			}
		}
	}

	/** The subscriber cancelled. */
	@Override
	public final void run() {
		if (compareAndSet(false, true)) {
			onCancel();
		}
	}

	/**
	 * The subscription succeeded.
	 * @param result its result: a Mono's element, a Flux's first element, or {@code null}
	 * if it completed empty
	 */
	abstract void onSuccess(@Nullable Object result);

	abstract void onFailure(Throwable failure);

	abstract void onCancel();

}
