package dev.resilience.boot.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The same protected operation with every supported return type, so that each annotation
 * is tested against each return type with the same assertions.
 */
interface Surface {

	String sync();

	void voidCall();

	CompletableFuture<String> future();

	CompletionStage<String> stage();

	Mono<String> mono();

	Flux<String> flux();

}
