package dev.resilience.boot.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A {@link Surface} whose every method runs one step of its {@link Script}:
 * synchronously, as a future, or on subscription.
 */
class ScriptedSurface implements Surface {

	private final Script script = new Script();

	// Package-private, so that class-level annotations (public methods only) leave it
	// alone;
	// tests reach the target's script through the proxy with it.
	Script script() {
		return this.script;
	}

	@Override
	public String sync() {
		return this.script.next();
	}

	@Override
	public void voidCall() {
		this.script.next();
	}

	@Override
	public CompletableFuture<String> future() {
		try {
			return CompletableFuture.completedFuture(this.script.next());
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	@Override
	public CompletionStage<String> stage() {
		return future();
	}

	@Override
	public Mono<String> mono() {
		return Mono.fromSupplier(this.script::next);
	}

	@Override
	public Flux<String> flux() {
		return Flux.defer(() -> Flux.just(this.script.next()));
	}

}
