package dev.resilience.core;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import dev.resilience.timeout.TimeoutExceededException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExceptionMatcherTests {

	@Test
	void everyExceptionCountsWhenNothingIsConfigured() {
		assertThat(ExceptionMatcher.all().matches(new IOException())).isTrue();
		assertThat(ExceptionMatcher.of(List.of(), List.of(), null, false).matches(new IllegalStateException()))
			.isTrue();
	}

	@Test
	void includedTypesAndTheirSubtypesCountAndOthersDoNot() {
		ExceptionMatcher matcher = ExceptionMatcher.of(List.of(IOException.class), List.of(), null, false);
		assertThat(matcher.matches(new FileNotFoundException())).isTrue();
		assertThat(matcher.matches(new IllegalStateException())).isFalse();
	}

	@Test
	void ignoredWinsOverIncluded() {
		ExceptionMatcher matcher = ExceptionMatcher.of(List.of(IOException.class), List.of(FileNotFoundException.class),
				null, false);
		assertThat(matcher.matches(new IOException())).isTrue();
		assertThat(matcher.matches(new FileNotFoundException())).isFalse();
	}

	@Test
	void predicateAddsToIncludedTypes() {
		ExceptionMatcher matcher = ExceptionMatcher.of(List.of(IOException.class), List.of(),
				(ex) -> "retry me".equals(ex.getMessage()), false);
		assertThat(matcher.matches(new IllegalStateException("retry me"))).isTrue();
		assertThat(matcher.matches(new IllegalStateException("no"))).isFalse();
		assertThat(matcher.matches(new IOException("no"))).isTrue();
	}

	@Test
	void causesAreMatchedOnlyWhenAskedTo() {
		UncheckedIOException wrapped = new UncheckedIOException(new FileNotFoundException());
		assertThat(ExceptionMatcher.of(List.of(IOException.class), List.of(), null, false).matches(wrapped)).isFalse();
		assertThat(ExceptionMatcher.of(List.of(IOException.class), List.of(), null, true).matches(wrapped)).isTrue();
		assertThat(ExceptionMatcher.of(List.of(), List.of(FileNotFoundException.class), null, true).matches(wrapped))
			.isFalse();
	}

	@Test
	void aCauseCycleDoesNotLoopForever() {
		Exception first = new Exception("first");
		Exception second = new Exception("second", first);
		first.initCause(second);
		assertThat(ExceptionMatcher.of(List.of(IOException.class), List.of(), null, true).matches(first)).isFalse();
	}

	@Test
	void aTimeoutExceededExceptionCountsAsTheTimeoutExceptionThatMigratedConfigurationsName() {
		TimeoutExceededException timeout = new TimeoutExceededException("to", Duration.ofSeconds(1), null);
		assertThat(ExceptionMatcher.of(List.of(TimeoutException.class), List.of(), null, false).matches(timeout))
			.isTrue();
		assertThat(ExceptionMatcher.of(List.of(), List.of(TimeoutException.class), null, false).matches(timeout))
			.isFalse();
		// Only in that direction: a TimeoutException is not one of ours.
		assertThat(ExceptionMatcher.of(List.of(TimeoutExceededException.class), List.of(), null, false)
			.matches(new TimeoutException())).isFalse();
		assertThat(ExceptionMatcher.isInstance(TimeoutException.class, TimeoutExceededException.class)).isTrue();
		assertThat(ExceptionMatcher.isInstance(TimeoutException.class, IllegalStateException.class)).isFalse();
		assertThat(ExceptionMatcher.isInstance(Exception.class, TimeoutException.class)).isTrue();
	}

	@Test
	void aWrappedTimeoutExceededExceptionCountsAsATimeoutExceptionWithTheCauseChain() {
		RuntimeException wrapped = new RuntimeException(
				new TimeoutExceededException("to", Duration.ofSeconds(1), null));
		assertThat(ExceptionMatcher.of(List.of(TimeoutException.class), List.of(), null, true).matches(wrapped))
			.isTrue();
	}

}
