package dev.resilience.boot.aop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.resilience.testing.ManualScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls a {@link Surface} through one return type and reduces the outcome to a value or a
 * thrown exception, driving the fake scheduler while an asynchronous outcome is pending.
 */
enum ReturnKind {

	SYNC {
		@Override
		Object start(Surface surface) {
			return surface.sync();
		}
	},

	VOID {
		@Override
		Object start(Surface surface) {
			surface.voidCall();
			return "ok";
		}
	},

	FUTURE {
		@Override
		Object start(Surface surface) {
			return surface.future();
		}
	},

	STAGE {
		@Override
		Object start(Surface surface) {
			return surface.stage().toCompletableFuture();
		}
	},

	MONO {
		@Override
		Object start(Surface surface) {
			return surface.mono().toFuture();
		}
	},

	FLUX {
		@Override
		Object start(Surface surface) {
			return surface.flux().collectList().toFuture().thenApply((List<String> values) -> {
				assertThat(values).hasSizeLessThanOrEqualTo(1);
				return values.isEmpty() ? null : values.get(0);
			});
		}
	};

	abstract Object start(Surface surface);

	/**
	 * Calls and waits for the outcome (bounded, on fake time).
	 * @return the value
	 * @throws RuntimeException what the call failed with, unwrapped
	 */
	Object call(Surface surface, ManualScheduler scheduler) {
		Object started = start(surface);
		if (!(started instanceof CompletableFuture<?> future)) {
			return started;
		}
		for (int i = 0; i < 1_000 && !future.isDone(); i++) {
			scheduler.advance(Duration.ofMillis(10));
		}
		assertThat(future).as("outcome of " + this).isDone();
		try {
			return future.join();
		}
		catch (CompletionException ex) {
			throw (RuntimeException) ex.getCause();
		}
	}

	boolean isVoid() {
		return this == VOID;
	}

}
