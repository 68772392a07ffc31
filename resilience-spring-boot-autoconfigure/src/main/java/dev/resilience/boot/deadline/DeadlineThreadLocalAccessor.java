package dev.resilience.boot.deadline;

import java.util.ArrayDeque;

import dev.resilience.deadline.Deadline;
import io.micrometer.context.ThreadLocalAccessor;
import org.jspecify.annotations.Nullable;

/*
 * Design.
 *
 * Deadline offers no raw setter, only enter() -> Scope, whose close() puts back exactly
 * what was current before. Context propagation pairs every setValue with a restore, in
 * reverse order, on the same thread (ContextSnapshot.Scope, Reactor's automatic
 * propagation): so setValue enters and pushes the Scope on a per-thread stack, and
 * restore pops and closes it. That restores exactly, whatever value restore is given,
 * and follows Deadline's rule that nested code never extends a deadline: a snapshot with
 * a later deadline, or none (setValue()), leaves an earlier current one in force for the
 * stretch. A thread that has none to begin with (a pool's worker, a virtual thread, an
 * event loop between signals) gets exactly the snapshot's. An unpaired restore finds an
 * empty stack and does nothing.
 */
/**
 * Micrometer context propagation's accessor of the current {@link Deadline}, under the
 * key {@link Deadline#CONTEXT_KEY}: with it a {@code ContextSnapshot} (Spring's
 * {@code ContextPropagatingTaskDecorator}, {@code ContextExecutorService.wrap}),
 * Reactor's {@code contextCapture()} and Reactor's automatic context propagation
 * ({@code Hooks.enableAutomaticContextPropagation()}, Spring Boot's
 * {@code spring.reactor.context-propagation=auto}) carry the deadline across threads and
 * between the Reactor {@code Context} and the thread.
 * <p>
 * Registered with {@code ContextRegistry.getInstance()} through the {@code ServiceLoader}
 * (this module's {@code META-INF/services/io.micrometer.context.ThreadLocalAccessor}), so
 * it works wherever context-propagation is on the class path, with or without Spring.
 * Thread-safe.
 */
public final class DeadlineThreadLocalAccessor implements ThreadLocalAccessor<Deadline> {

	private static final ThreadLocal<ArrayDeque<Deadline.Scope>> SCOPES = ThreadLocal.withInitial(ArrayDeque::new);

	/**
	 * Creates the accessor (for the {@code ServiceLoader}).
	 */
	public DeadlineThreadLocalAccessor() {
	}

	@Override
	public Object key() {
		return Deadline.CONTEXT_KEY;
	}

	@Override
	public @Nullable Deadline getValue() {
		return Deadline.current();
	}

	@Override
	public void setValue(Deadline value) {
		SCOPES.get().push(Deadline.enter(value));
	}

	@Override
	public void setValue() {
		// Nothing to set: a stretch without a deadline inside one with a deadline is
		// still
		// under it. Pushed all the same, so that the restore paired with it has its
		// scope.
		SCOPES.get().push(Deadline.enter(null));
	}

	@Override
	public void restore(Deadline previousValue) {
		restore();
	}

	@Override
	public void restore() {
		Deadline.Scope scope = SCOPES.get().poll();
		if (scope != null) {
			scope.close();
		}
	}

}
