package dev.resilience.boot.aop;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import dev.resilience.annotation.CircuitBreaker;
import dev.resilience.annotation.Fallback;
import dev.resilience.annotation.RateLimited;
import dev.resilience.annotation.Retry;
import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.core.KeyEvaluationException;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Key expressions: checked at startup against the variables they use, and a key that
 * cannot be computed for a call fails that call alone, as the caller's error, before any
 * stage sees it.
 */
class KeyExpressionTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withPropertyValues("resilience.ratelimiter.instances.users.limit-for-period=5",
				"resilience.ratelimiter.instances.users.limit-refresh-period=1h",
				"resilience.ratelimiter.instances.users.timeout-duration=0",
				"resilience.circuitbreaker.instances.users.sliding-window-size=2",
				"resilience.circuitbreaker.instances.users.minimum-number-of-calls=2",
				"resilience.retry.instances.users.max-attempts=3", "resilience.retry.instances.users.wait-duration=0");

	@Test
	void argsKeysWorkForAClassCompiledWithoutParameterNames(@TempDir Path classes) throws Exception {
		// A class compiled here without -parameters: its parameter names are unknown, but
		// #args[0] and #p0 do not need them.
		ClassLoader loader = compileWithoutParameterNames(classes, "NamelessService", """
				package dev.resilience.boot.aop.nameless;

				import dev.resilience.annotation.RateLimited;

				public class NamelessService implements java.util.function.Function<String, String> {

					@RateLimited(name = "users", key = "#args[0]")
					public String apply(String user) {
						return user;
					}

					@RateLimited(name = "users", key = "#p0 + #a0")
					public String twice(String user) {
						return user;
					}

				}
				""");
		Class<?> type = loader.loadClass("dev.resilience.boot.aop.nameless.NamelessService");
		assertThat(type.getMethod("apply", String.class).getParameters()[0].isNamePresent()).isFalse();
		this.contextRunner.withClassLoader(loader)
			.withBean("nameless", type)
			.withPropertyValues("resilience.ratelimiter.instances.users.limit-for-period=1")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				@SuppressWarnings("unchecked")
				Function<String, String> bean = (Function<String, String>) context.getBean("nameless");
				assertThat(bean.apply("ann")).isEqualTo("ann");
				assertThat(bean.apply("bob")).as("bob has a bucket of his own").isEqualTo("bob");
				assertThat(context.getBean(RateLimiterRegistry.class).instance("users").metrics().liveKeys())
					.isEqualTo(2);
			});
	}

	@Test
	void aNamedVariableStillNeedsTheParameterNames(@TempDir Path classes) throws Exception {
		ClassLoader loader = compileWithoutParameterNames(classes, "NamelessByName", """
				package dev.resilience.boot.aop.nameless;

				import dev.resilience.annotation.RateLimited;

				public class NamelessByName {

					@RateLimited(name = "users", key = "#args[0] + #user")
					public String charge(String user) {
						return user;
					}

				}
				""");
		this.contextRunner.withClassLoader(loader)
			.withBean("nameless", loader.loadClass("dev.resilience.boot.aop.nameless.NamelessByName"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("NamelessByName.charge(String) @RateLimited(key = \"#args[0] + #user\")")
				.hasMessageContaining("#user")
				.hasMessageContaining("parameter names of the method are not available"));
	}

	@Test
	void anArgumentIndexBeyondTheParametersFailsStartup() {
		this.contextRunner.withBean(BeyondTheArguments.class)
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("@RateLimited(key = \"#p1\")")
				.hasMessageContaining("the key refers to #p1, but the method has 1 parameters"));
	}

	@ParameterizedTest
	@EnumSource(Kind.class)
	void aKeyThatFailsForACallFailsThatCallAloneAndNoStageCountsRetriesOrFallsBackFromIt(Kind kind) {
		this.contextRunner.withBean(KeyedService.class).run((context) -> {
			KeyedService service = context.getBean(KeyedService.class);
			for (int i = 0; i < 5; i++) {
				assertThatExceptionOfType(KeyEvaluationException.class).isThrownBy(() -> kind.call(service, null))
					.withMessageContaining(
							"KeyedService." + kind.method() + "(String) @RateLimited(key = \"#user.length()\")")
					.withMessageContaining("could not be computed");
			}
			assertThat(service.calls()).hasValue(0);
			assertThat(service.fallbacks()).hasValue(0);
			dev.resilience.circuitbreaker.CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class)
				.instance("users");
			assertThat(breaker.state()).isEqualTo(dev.resilience.circuitbreaker.CircuitBreaker.State.CLOSED);
			assertThat(breaker.metrics().totalFailedCalls()).isZero();
			dev.resilience.retry.Retry.Metrics retry = context.getBean(RetryRegistry.class).instance("users").metrics();
			assertThat(retry.failedCallsWithoutRetry() + retry.failedCallsWithRetry()).isZero();
			// And the next caller, with a user, is served.
			assertThat(kind.call(service, "ann")).isEqualTo("ann");
			assertThat(service.calls()).hasValue(1);
			assertThat(breaker.metrics().totalSuccessfulCalls()).isEqualTo(1);
		});
	}

	private static ClassLoader compileWithoutParameterNames(Path classes, String name, String source)
			throws IOException, URISyntaxException {
		Path file = classes.resolve(name + ".java");
		Files.writeString(file, source);
		String annotations = Path.of(RateLimited.class.getProtectionDomain().getCodeSource().getLocation().toURI())
			.toString();
		JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
		int status = compiler.run(null, null, null, "-classpath", annotations, "-d", classes.toString(),
				file.toString());
		assertThat(status).as("javac of " + name).isZero();
		return new URLClassLoader(new URL[] { classes.toUri().toURL() }, KeyExpressionTests.class.getClassLoader());
	}

	enum Kind {

		SYNC {
			@Override
			Object start(KeyedService service, @Nullable String user) {
				return service.sync(user);
			}
		},

		FUTURE {
			@Override
			Object start(KeyedService service, @Nullable String user) {
				return service.future(user);
			}
		},

		MONO {
			@Override
			Object start(KeyedService service, @Nullable String user) {
				return service.mono(user).toFuture();
			}
		},

		FLUX {
			@Override
			Object start(KeyedService service, @Nullable String user) {
				return service.flux(user).collectList().toFuture().thenApply((values) -> values.get(0));
			}
		};

		abstract Object start(KeyedService service, @Nullable String user);

		String method() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

		Object call(KeyedService service, @Nullable String user) throws Exception {
			Object started = start(service, user);
			if (!(started instanceof CompletableFuture<?> future)) {
				return started;
			}
			try {
				return future.get(5, TimeUnit.SECONDS);
			}
			catch (ExecutionException ex) {
				throw (Exception) ex.getCause();
			}
		}

	}

	static class BeyondTheArguments {

		@RateLimited(name = "users", key = "#p1")
		public String charge(String user) {
			return user;
		}

	}

	@Retry(name = "users")
	@CircuitBreaker(name = "users")
	static class KeyedService {

		private final AtomicInteger calls = new AtomicInteger();

		private final AtomicInteger fallbacks = new AtomicInteger();

		AtomicInteger calls() {
			return this.calls;
		}

		AtomicInteger fallbacks() {
			return this.fallbacks;
		}

		@RateLimited(name = "users", key = "#user.length()")
		@Fallback(method = "fallback")
		public String sync(String user) {
			this.calls.incrementAndGet();
			return user;
		}

		@RateLimited(name = "users", key = "#user.length()")
		@Fallback(method = "fallbackFuture")
		public CompletableFuture<String> future(String user) {
			this.calls.incrementAndGet();
			return CompletableFuture.completedFuture(user);
		}

		@RateLimited(name = "users", key = "#user.length()")
		@Fallback(method = "fallbackMono")
		public Mono<String> mono(String user) {
			return Mono.fromSupplier(() -> {
				this.calls.incrementAndGet();
				return user;
			});
		}

		@RateLimited(name = "users", key = "#user.length()")
		@Fallback(method = "fallbackFlux")
		public Flux<String> flux(String user) {
			return Flux.defer(() -> {
				this.calls.incrementAndGet();
				return Flux.just(user);
			});
		}

		String fallback(String user, Throwable failure) {
			this.fallbacks.incrementAndGet();
			return "fallback";
		}

		CompletableFuture<String> fallbackFuture(String user, Throwable failure) {
			return CompletableFuture.completedFuture(fallback(user, failure));
		}

		Mono<String> fallbackMono(String user, Throwable failure) {
			return Mono.just(fallback(user, failure));
		}

		Flux<String> fallbackFlux(String user, Throwable failure) {
			return Flux.just(fallback(user, failure));
		}

	}

}
