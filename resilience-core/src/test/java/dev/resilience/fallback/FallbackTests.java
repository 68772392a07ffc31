package dev.resilience.fallback;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import dev.resilience.timeout.TimeoutExceededException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class FallbackTests {

	private final Fallback fallback = Fallback.builder()
		.on(Exception.class, (context, failure) -> "exception")
		.on(IOException.class, (context, failure) -> "io")
		.on(FileNotFoundException.class, (context, failure) -> "not found")
		.build();

	@Test
	void theMostSpecificRegisteredTypeWins() throws Throwable {
		assertThat(this.fallback.apply(null, new FileNotFoundException())).isEqualTo("not found");
		assertThat(this.fallback.apply(null, new java.net.SocketException())).isEqualTo("io");
		assertThat(this.fallback.apply(null, new IllegalStateException())).isEqualTo("exception");
		// Cached per class: asking again gives the same answer.
		assertThat(this.fallback.apply(null, new java.net.SocketException())).isEqualTo("io");
	}

	@Test
	void registrationOrderDoesNotMatter() throws Throwable {
		Fallback reversed = Fallback.builder()
			.on(FileNotFoundException.class, (context, failure) -> "not found")
			.on(Exception.class, (context, failure) -> "exception")
			.build();
		assertThat(reversed.apply(null, new FileNotFoundException())).isEqualTo("not found");
		assertThat(reversed.apply(null, new IOException())).isEqualTo("exception");
	}

	@Test
	void anUnrelatedFailureIsRethrownUnchanged() {
		Fallback onIo = Fallback.of(IOException.class, (context, failure) -> "io");
		IllegalStateException failure = new IllegalStateException("unrelated");
		assertThat(onIo.handles(failure)).isFalse();
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> onIo.apply(null, failure))
			.isSameAs(failure);
		AssertionError error = new AssertionError("not an exception");
		assertThat(this.fallback.handles(error)).isFalse();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> this.fallback.apply(null, error))
			.isSameAs(error);
	}

	@Test
	void handlesTellsWhetherAHandlerApplies() {
		assertThat(this.fallback.handles(new FileNotFoundException())).isTrue();
		assertThat(this.fallback.handles(new RuntimeException())).isTrue();
		assertThat(this.fallback.handles(new Error())).isFalse();
	}

	@Test
	void registeringATypeTwiceIsRejected() {
		Fallback.Builder builder = Fallback.builder().on(IOException.class, (context, failure) -> "first");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> builder.on(IOException.class, (context, failure) -> "second"))
			.withMessage("A fallback handler for java.io.IOException is already registered");
	}

	@Test
	void aFallbackNeedsAHandler() {
		assertThatIllegalStateException().isThrownBy(() -> Fallback.builder().build())
			.withMessage("A fallback needs at least one handler: call on(type, handler)");
	}

	@Test
	void anExceptionFromTheHandlerPropagates() {
		UncheckedIOException translated = new UncheckedIOException(new IOException("translated"));
		Fallback translating = Fallback.of(IOException.class, (context, failure) -> {
			throw translated;
		});
		assertThatExceptionOfType(UncheckedIOException.class)
			.isThrownBy(() -> translating.apply(null, new IOException()))
			.isSameAs(translated);
	}

	@Test
	void theContextAndTheFailureArePassedToTheHandler() throws Throwable {
		Object context = new Object();
		IOException failure = new IOException("boom");
		Fallback echoing = Fallback.of(IOException.class, (ctx, ex) -> new Object[] { ctx, ex });
		assertThat((Object[]) echoing.apply(context, failure)).containsExactly(context, failure);
	}

	@Test
	void aHandlerMayReturnNull() throws Throwable {
		assertThat(Fallback.of(IOException.class, (context, failure) -> null).apply(null, new IOException())).isNull();
	}

	@Test
	void typesAndToStringListTheRegisteredTypesInOrder() {
		assertThat(this.fallback.types()).containsExactly(Exception.class, IOException.class,
				FileNotFoundException.class);
		assertThat(this.fallback)
			.hasToString("Fallback[java.lang.Exception, java.io.IOException, java.io.FileNotFoundException]");
	}

	@Test
	void aTimeoutExceptionHandlerAnswersForATimeoutExceededException() throws Throwable {
		TimeoutExceededException timeout = new TimeoutExceededException("to", Duration.ofSeconds(1), null);
		Fallback migrated = Fallback.builder()
			.on(TimeoutException.class,
					(context, failure) -> ((TimeoutException) failure).getClass().getSimpleName()
							+ ((failure.getCause() == timeout) ? " caused by ours" : "") + ": " + failure.getMessage())
			.on(RuntimeException.class, (context, failure) -> "runtime")
			.build();
		assertThat(migrated.handles(timeout)).isTrue();
		assertThat(migrated.apply(null, timeout))
			.isEqualTo("TimeoutException caused by ours: Timeout 'to': call did not finish within PT1S");
		assertThat(migrated.apply(null, new TimeoutException("theirs"))).isEqualTo("TimeoutException: theirs");
		assertThat(migrated.apply(null, new IllegalStateException())).isEqualTo("runtime");
		// Our own type, if it has a handler, is more specific still.
		Fallback both = Fallback.builder()
			.on(TimeoutException.class, (context, failure) -> "timeout")
			.on(TimeoutExceededException.class, (context, failure) -> "ours")
			.build();
		assertThat(both.apply(null, timeout)).isEqualTo("ours");
	}

}
