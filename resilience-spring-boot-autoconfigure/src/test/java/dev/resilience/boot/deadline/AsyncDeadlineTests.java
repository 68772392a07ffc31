package dev.resilience.boot.deadline;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.resilience.boot.autoconfigure.ResilienceAutoConfiguration;
import dev.resilience.deadline.Deadline;
import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @Async} methods run under their caller's deadline: Spring Boot's task-execution
 * auto-configuration applies every {@code TaskDecorator} bean (ours among them, the
 * application's kept) to the {@code applicationTaskExecutor}, on platform threads and on
 * virtual threads; a JDK virtual-thread executor wrapped by Micrometer's context
 * propagation carries it as well.
 */
class AsyncDeadlineTests {

	private static final ThreadLocal<String> USER_CONTEXT = new ThreadLocal<>();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class,
				ResilienceDeadlineAutoConfiguration.class, TaskExecutionAutoConfiguration.class))
		.withUserConfiguration(AsyncConfiguration.class);

	@Test
	void anAsyncMethodRunsUnderTheCallersDeadlineAndTheWorkerIsLeftWithoutIt() {
		this.runner.run((context) -> {
			Reporter reporter = context.getBean(Reporter.class);
			Deadline deadline = Deadline.after(Duration.ofSeconds(30));
			Seen seen;
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				seen = reporter.seen().get(10, TimeUnit.SECONDS);
			}
			assertThat(seen.deadline()).isSameAs(deadline);
			assertThat(seen.thread()).isNotSameAs(Thread.currentThread());
			assertThat(seen.thread().getName()).startsWith("task-");
			// The pool's thread is left without it.
			assertThat(reporter.seen().get(10, TimeUnit.SECONDS).deadline()).isNull();
		});
	}

	@Test
	void theApplicationsOwnTaskDecoratorStillAppliesAndRunsUnderTheDeadline() {
		this.runner.withUserConfiguration(UserDecorator.class).run((context) -> {
			Reporter reporter = context.getBean(Reporter.class);
			Deadline deadline = Deadline.after(Duration.ofSeconds(30));
			Seen seen;
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				seen = reporter.seen().get(10, TimeUnit.SECONDS);
			}
			assertThat(seen.deadline()).isSameAs(deadline);
			// Set by the application's decorator, which saw the deadline on the worker.
			assertThat(seen.userContext()).isEqualTo("decorated with a deadline");
		});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads exist from Java 21 on")
	void onVirtualThreadsAnAsyncMethodRunsUnderTheCallersDeadline() {
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			Reporter reporter = context.getBean(Reporter.class);
			Deadline deadline = Deadline.after(Duration.ofSeconds(30));
			Seen seen;
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				seen = reporter.seen().get(10, TimeUnit.SECONDS);
			}
			assertThat(DeadlineTestApplication.isVirtual(seen.thread())).isTrue();
			assertThat(seen.deadline()).isSameAs(deadline);
		});
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads exist from Java 21 on")
	void aVirtualThreadPerTaskExecutorWrappedByContextPropagationCarriesTheDeadline() throws Exception {
		ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
			.invoke(null);
		ExecutorService wrapped = ContextExecutorService.wrap(virtual,
				() -> ContextSnapshotFactory.builder().build().captureAll());
		try {
			Deadline deadline = Deadline.after(Duration.ofSeconds(30));
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				Seen seen = wrapped.submit(() -> new Seen(Deadline.current(), Thread.currentThread(), null))
					.get(10, TimeUnit.SECONDS);
				assertThat(seen.deadline()).isSameAs(deadline);
				assertThat(DeadlineTestApplication.isVirtual(seen.thread())).isTrue();
			}
		}
		finally {
			wrapped.shutdownNow();
		}
	}

	@Test
	void aTaskScheduledUnderADeadlineCarriesItAsSpringBootDecoratesItsTaskSchedulerToo() {
		this.runner.withConfiguration(AutoConfigurations.of(TaskSchedulingAutoConfiguration.class))
			.withUserConfiguration(SchedulingConfiguration.class)
			.run((context) -> {
				TaskScheduler scheduler = context.getBean(TaskScheduler.class);
				Deadline deadline = Deadline.after(Duration.ofSeconds(30));
				CompletableFuture<Deadline> seen = new CompletableFuture<>();
				try (Deadline.Scope scope = Deadline.enter(deadline)) {
					scheduler.schedule(() -> seen.complete(Deadline.current()), Instant.now());
				}
				assertThat(seen.get(10, TimeUnit.SECONDS)).isSameAs(deadline);
			});
	}

	record Seen(@Nullable Deadline deadline, Thread thread, @Nullable String userContext) {
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

		@Bean
		Reporter reporter() {
			return new Reporter();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class SchedulingConfiguration {

	}

	@Configuration(proxyBeanMethods = false)
	static class UserDecorator {

		@Bean
		TaskDecorator userDecorator() {
			return (task) -> () -> {
				USER_CONTEXT.set((Deadline.current() != null) ? "decorated with a deadline" : "decorated");
				try {
					task.run();
				}
				finally {
					USER_CONTEXT.remove();
				}
			};
		}

	}

	public static class Reporter {

		@Async
		public CompletableFuture<Seen> seen() {
			return CompletableFuture
				.completedFuture(new Seen(Deadline.current(), Thread.currentThread(), USER_CONTEXT.get()));
		}

	}

}
