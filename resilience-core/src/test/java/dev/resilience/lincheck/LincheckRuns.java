package dev.resilience.lincheck;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The bounds of every Lincheck run in the build, in one place, so that the model-checked
 * suite stays within its time budget (well under two minutes on a two-core machine) and
 * {@link LincheckHarnessTests} proves that these very bounds find a plain lost update.
 * <p>
 * A scenario is {@value #THREADS} threads of {@value #ACTORS_PER_THREAD} operations,
 * after {@value #ACTORS_BEFORE} and before {@value #ACTORS_AFTER} sequential ones. The
 * operations of the init part run as thread id 0, those of the parallel part as 1 to
 * {@value #THREADS}, those of the post part as {@value #THREADS} + 1
 * ({@code ThreadIdGen}), so a scenario that keeps something per caller (a permit, the
 * bulkhead it acquired on) needs {@link #SLOTS} slots.
 * <p>
 * For a deeper search than the build's, multiply the iterations:
 * {@code -Dlincheck.depth=10}.
 */
public final class LincheckRuns {

	/** Threads in the parallel part. */
	public static final int THREADS = 2;

	/** Operations per thread in the parallel part. */
	public static final int ACTORS_PER_THREAD = 3;

	/** Operations before the parallel part. */
	public static final int ACTORS_BEFORE = 2;

	/** Operations after the parallel part. */
	public static final int ACTORS_AFTER = 2;

	/** Slots for per-caller state, indexed by thread id: init, parallel threads, post. */
	public static final int SLOTS = THREADS + 2;

	private static final int DEPTH = Integer.getInteger("lincheck.depth", 1);

	private LincheckRuns() {
	}

	/**
	 * Returns the bounded model-checking options: scenarios whose interleavings Lincheck
	 * chooses itself, switching threads at every shared-memory access.
	 * @return the options, to which a test may add its sequential specification
	 */
	public static ModelCheckingOptions modelChecking() {
		return new ModelCheckingOptions().iterations(10 * DEPTH)
			.invocationsPerIteration(200)
			.threads(THREADS)
			.actorsPerThread(ACTORS_PER_THREAD)
			.actorsBefore(ACTORS_BEFORE)
			.actorsAfter(ACTORS_AFTER);
	}

	/**
	 * Returns the bounded stress options: the same scenarios run many times on real
	 * threads, where the JIT and the hardware choose the interleavings.
	 * @return the options, to which a test may add its sequential specification
	 */
	public static StressOptions stress() {
		return new StressOptions().iterations(5 * DEPTH)
			.invocationsPerIteration(100)
			.threads(THREADS)
			.actorsPerThread(ACTORS_PER_THREAD)
			.actorsBefore(ACTORS_BEFORE)
			.actorsAfter(ACTORS_AFTER);
	}

	/**
	 * Returns a scenario written out by hand, for a race that random scenarios reach too
	 * rarely: Lincheck still chooses the interleavings. Add it with
	 * {@code addCustomScenario}.
	 * @param init the operations before the parallel part
	 * @param parallel the operations of each thread
	 * @param post the operations after the parallel part
	 * @return the scenario
	 */
	public static ExecutionScenario scenario(List<Actor> init, List<List<Actor>> parallel, List<Actor> post) {
		return new ExecutionScenario(init, parallel, post, null);
	}

	/**
	 * Returns one operation of a hand-written scenario.
	 * @param scenarioClass the class that declares (or inherits) the operation
	 * @param operation the name of the {@code @Operation} method (unique in the class)
	 * @param arguments its arguments (a caller's thread id where it takes one)
	 * @return the operation
	 */
	public static Actor call(Class<?> scenarioClass, String operation, Object... arguments) {
		List<Method> matches = new ArrayList<>();
		for (Method method : scenarioClass.getMethods()) {
			if (method.getName().equals(operation) && method.getParameterCount() == arguments.length) {
				matches.add(method);
			}
		}
		if (matches.size() != 1) {
			throw new IllegalArgumentException("Expected one method " + operation + " with " + arguments.length
					+ " parameters in " + scenarioClass);
		}
		return new Actor(matches.get(0), Arrays.asList(arguments), false, false, false, false, false);
	}

}
