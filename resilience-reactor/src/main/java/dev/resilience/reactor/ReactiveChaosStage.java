package dev.resilience.reactor;

import dev.resilience.chaos.Chaos;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The chaos stage as a Reactor operator, innermost, around the source itself: each
 * subscription asks the site whether one of its rules affects it. An exception fault
 * fails the subscription without subscribing the source; a latency fault delays the
 * subscription of the source on the site's scheduler (a cancel before then unschedules it
 * and the source is never subscribed); a result fault emits the rule's value instead of
 * subscribing the source (a publisher as it is, {@code null} as an empty one, any other
 * value as the only element; a Mono gives one element at most).
 */
final class ReactiveChaosStage {

	private ReactiveChaosStage() {
	}

	static Flux<Object> apply(Chaos chaos, Flux<Object> source, boolean single) {
		return Flux.defer(() -> {
			Chaos.Injection injection = chaos.decide();
			if (injection == null) {
				return source;
			}
			return switch (injection.fault()) {
				case EXCEPTION -> Flux.error(injection.exception());
				case LATENCY -> source.delaySubscription(Delays.delay(chaos.scheduler(), injection.latencyNanos()));
				case RESULT -> {
					Publisher<Object> published = ReactivePipeline.publisher(injection.result());
					yield single ? Mono.from(published).flux() : Flux.from(published);
				}
			};
		});
	}

}
