/**
 * The primitives of resilience and their composition. Every package but
 * {@code dev.resilience.internal} is API; that one is exported only to the other modules of
 * resilience, which share its helpers.
 */
module dev.resilience.core {

	requires static org.jspecify;

	exports dev.resilience.annotation;
	exports dev.resilience.bulkhead;
	exports dev.resilience.chaos;
	exports dev.resilience.circuitbreaker;
	exports dev.resilience.core;
	exports dev.resilience.deadline;
	exports dev.resilience.fallback;
	exports dev.resilience.limit;
	exports dev.resilience.pipeline;
	exports dev.resilience.ratelimiter;
	exports dev.resilience.retry;
	exports dev.resilience.timeout;

	exports dev.resilience.internal to dev.resilience.reactor, dev.resilience.spring.boot.autoconfigure,
			dev.resilience.test;

}
