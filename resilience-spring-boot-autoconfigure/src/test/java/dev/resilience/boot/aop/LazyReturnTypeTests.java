package dev.resilience.boot.aop;

import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.concurrent.Flow;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Timeout;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @Timeout} bounds the method's execution until it returns. For a lazy return
 * type (a stream, an iterator) the work happens after that, outside the deadline, so the
 * annotation would promise what it cannot keep: startup fails, as for a plain
 * {@code Future}. Eager types (collections, {@code Optional}) are served as usual, and
 * publishers asynchronously, as reactive types.
 */
class LazyReturnTypeTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class));

	@ParameterizedTest
	@ValueSource(classes = { TimedStream.class, TimedIntStream.class, TimedIterator.class, TimedSpliterator.class,
			TimedEnumeration.class })
	void aTimeoutOnALazyReturnTypeFailsStartupNamingTheMethodAndTheType(Class<?> bean) throws Exception {
		String returnType = bean.getMethod("items").getGenericReturnType().getTypeName();
		this.contextRunner.withBean(bean).run((context) -> {
			assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(ResilienceConfigurationException.class)
				.hasMessageContaining(bean.getSimpleName() + ".items() @Timeout")
				.hasMessageContaining(returnType)
				.hasMessageContaining("only its creation would be under the deadline");
			Throwable failure = NestedExceptionUtils.getRootCause(context.getStartupFailure());
			assertThat(((ResilienceConfigurationException) failure).action()).contains("Return a collection");
		});
	}

	@Test
	void aTimeoutOnAnEagerReturnTypeIsServed() {
		this.contextRunner.withBean(TimedEager.class).run((context) -> {
			TimedEager bean = context.getBean(TimedEager.class);
			assertThat(bean.list()).containsExactly("a");
			assertThat(bean.iterable()).containsExactly("a");
			assertThat(bean.collection()).containsExactly("a");
			assertThat(bean.optional()).contains("a");
			assertThat(context.getBean(TimeoutRegistry.class).instance("items").metrics().totalSuccessfulCalls())
				.isEqualTo(4);
		});
	}

	@Test
	void aTimeoutOnAPublisherIsServedAsynchronously() {
		// A publisher is a reactive type: its subscription is under the deadline
		// (ReactiveReturnTypeTests times one out).
		this.contextRunner.withBean(TimedPublishers.class).run((context) -> {
			TimedPublishers bean = context.getBean(TimedPublishers.class);
			assertThat(Flux.from(bean.publisher()).collectList().block()).containsExactly("a");
			assertThat(JdkFlowAdapter.flowPublisherToFlux(bean.flowPublisher()).collectList().block())
				.containsExactly("a");
			assertThat(context.getBean(TimeoutRegistry.class).instance("items").metrics().totalSuccessfulCalls())
				.isEqualTo(2);
		});
	}

	@Test
	void otherAnnotationsOnALazyReturnTypeGuardItsCreation() {
		this.contextRunner.withBean(GuardedStream.class).run((context) -> {
			assertThat(context.getBean(GuardedStream.class).items()).containsExactly("a");
			assertThat(context.getBean(CircuitBreakerRegistry.class).instance("items").metrics().totalSuccessfulCalls())
				.isEqualTo(1);
		});
	}

	static class TimedStream {

		@Timeout(name = "items")
		public Stream<String> items() {
			return Stream.of("a");
		}

	}

	static class TimedIntStream {

		@Timeout(name = "items")
		public IntStream items() {
			return IntStream.of(1);
		}

	}

	static class TimedIterator {

		@Timeout(name = "items")
		public Iterator<String> items() {
			return List.of("a").iterator();
		}

	}

	static class TimedSpliterator {

		@Timeout(name = "items")
		public Spliterator<String> items() {
			return List.of("a").spliterator();
		}

	}

	static class TimedEnumeration {

		@Timeout(name = "items")
		public Enumeration<String> items() {
			return Collections.enumeration(List.of("a"));
		}

	}

	static class TimedPublishers {

		@Timeout(name = "items")
		public Publisher<String> publisher() {
			return Flux.just("a");
		}

		@Timeout(name = "items")
		public Flow.Publisher<String> flowPublisher() {
			return JdkFlowAdapter.publisherToFlowPublisher(Flux.just("a"));
		}

	}

	static class TimedEager {

		@Timeout(name = "items")
		public List<String> list() {
			return List.of("a");
		}

		@Timeout(name = "items")
		public Iterable<String> iterable() {
			return List.of("a");
		}

		@Timeout(name = "items")
		public Collection<String> collection() {
			return List.of("a");
		}

		@Timeout(name = "items")
		public Optional<String> optional() {
			return Optional.of("a");
		}

	}

	static class GuardedStream {

		@CircuitBreaker(name = "items")
		public Stream<String> items() {
			return Stream.of("a");
		}

	}

}
