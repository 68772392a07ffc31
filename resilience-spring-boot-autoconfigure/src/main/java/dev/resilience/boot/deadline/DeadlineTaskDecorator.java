package dev.resilience.boot.deadline;

import dev.resilience.deadline.Deadline;

import org.springframework.core.task.TaskDecorator;

/**
 * Carries the submitting thread's {@link Deadline} to the thread that runs the task: the
 * task runs under it and the worker's previous deadline (normally none) is put back
 * after. A task submitted without a deadline is returned as it is, so it costs nothing.
 * <p>
 * The starter declares one as a bean, which Spring Boot's task-execution
 * auto-configuration applies (with every other {@code TaskDecorator} bean) to the
 * {@code applicationTaskExecutor}, the executor of {@code @Async} methods and of Spring
 * MVC's {@code Callable} results, on platform and virtual threads alike. An executor of
 * your own gets it with {@code setTaskDecorator(new DeadlineTaskDecorator())} (or
 * Spring's {@code ContextPropagatingTaskDecorator}, which carries it through Micrometer's
 * context propagation). Stateless and thread-safe.
 */
public final class DeadlineTaskDecorator implements TaskDecorator {

	@Override
	public Runnable decorate(Runnable runnable) {
		Deadline deadline = Deadline.current();
		if (deadline == null) {
			return runnable;
		}
		return () -> {
			try (Deadline.Scope scope = Deadline.enter(deadline)) {
				runnable.run();
			}
		};
	}

}
