package dev.resilience.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import io.micrometer.context.ContextSnapshotFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.util.ClassUtils;

/**
 * The task decorator of the starter's thread-pool bulkheads, made once at startup: the
 * application's {@link TaskDecorator} beans in their order and, when Micrometer
 * context-propagation is on the class path, the propagation of the caller's thread-local
 * context around them. {@code null} when there is nothing to apply, so that a call then
 * costs nothing more.
 */
final class ThreadPoolTaskDecorators {

	private static final String CONTEXT_SNAPSHOT_FACTORY = "io.micrometer.context.ContextSnapshotFactory";

	private ThreadPoolTaskDecorators() {
	}

	/**
	 * Composes the decorators: the first decorates the call, each next one decorates the
	 * task of the one before (as Spring Boot composes them for its task executor), and
	 * the context propagation decorates the result, so on the pool thread it restores the
	 * caller's context first and every other decorator runs inside it.
	 * @param decorators the application's task decorators, in order
	 * @param classLoader the application's class loader, to look for context-propagation
	 * @return the composed decorator, or {@code null} if there is none
	 */
	static @Nullable UnaryOperator<Runnable> compose(List<TaskDecorator> decorators,
			@Nullable ClassLoader classLoader) {
		List<TaskDecorator> all = new ArrayList<>(decorators);
		if (ClassUtils.isPresent(CONTEXT_SNAPSHOT_FACTORY, classLoader) && !ContextPropagation.isAmong(decorators)) {
			all.add(ContextPropagation.decorator());
		}
		if (all.isEmpty()) {
			return null;
		}
		if (all.size() == 1) {
			return all.get(0)::decorate;
		}
		TaskDecorator[] chain = all.toArray(new TaskDecorator[0]);
		return (task) -> {
			Runnable decorated = task;
			for (TaskDecorator decorator : chain) {
				decorated = decorator.decorate(decorated);
			}
			return decorated;
		};
	}

	/**
	 * Kept apart so that Micrometer's types are loaded only once context-propagation is
	 * known to be on the class path.
	 */
	private static final class ContextPropagation {

		/**
		 * Whether the application propagates the context itself, with a decorator of its
		 * own (or Spring Boot's, {@code spring.task.execution.propagate-context}): then
		 * it is not done twice.
		 */
		static boolean isAmong(List<TaskDecorator> decorators) {
			return decorators.stream().anyMatch(ContextPropagatingTaskDecorator.class::isInstance);
		}

		static TaskDecorator decorator() {
			// Every accessor registered with the global ContextRegistry (ServiceLoader
			// and
			// programmatic registrations). clearMissing: a value the caller does not have
			// is cleared on the pool thread for the call, so a call never sees a value
			// that an earlier call left behind.
			return new ContextPropagatingTaskDecorator(ContextSnapshotFactory.builder().clearMissing(true).build());
		}

	}

}
