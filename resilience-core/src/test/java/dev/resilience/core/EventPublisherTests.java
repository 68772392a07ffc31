package dev.resilience.core;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class EventPublisherTests {

	private final EventPublisher<String> publisher = new EventPublisher<>();

	@Test
	void hasNoListenersUntilOneSubscribes() {
		assertThat(this.publisher.hasListeners()).isFalse();
		EventPublisher.Subscription subscription = this.publisher.onEvent((event) -> {
		});
		assertThat(this.publisher.hasListeners()).isTrue();
		subscription.close();
		assertThat(this.publisher.hasListeners()).isFalse();
	}

	@Test
	void deliversToEveryListenerInRegistrationOrder() {
		List<String> received = new ArrayList<>();
		this.publisher.onEvent((event) -> received.add("first " + event));
		this.publisher.onEvent((event) -> received.add("second " + event));
		this.publisher.publish("e");
		assertThat(received).containsExactly("first e", "second e");
	}

	@Test
	void aListenerThatThrowsNeitherFailsThePublisherNorStopsTheOthers() {
		List<String> received = new ArrayList<>();
		this.publisher.onEvent((event) -> {
			throw new IllegalStateException("broken listener");
		});
		this.publisher.onEvent(received::add);
		this.publisher.publish("e");
		assertThat(received).containsExactly("e");
	}

	@Test
	void virtualMachineErrorsAreNotSwallowed() {
		this.publisher.onEvent((event) -> {
			throw new OutOfMemoryError("fatal");
		});
		assertThatExceptionOfType(OutOfMemoryError.class).isThrownBy(() -> this.publisher.publish("e"));
	}

	@Test
	void closingASubscriptionTwiceRemovesOnlyThatListener() {
		List<String> received = new ArrayList<>();
		EventPublisher.Subscription first = this.publisher.onEvent((event) -> received.add("first"));
		this.publisher.onEvent((event) -> received.add("second"));
		first.close();
		first.close();
		this.publisher.publish("e");
		assertThat(received).containsExactly("second");
	}

}
