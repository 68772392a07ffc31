package dev.resilience.boot.autoconfigure;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.resilience.pipeline.Pipeline;
import org.jspecify.annotations.Nullable;

/**
 * Checks {@code resilience.order} when it is bound, so that a wrong order stops the
 * application at startup even before (or without) any annotated method, and words the
 * failures with the stages as the property spells them ({@code circuit-breaker}).
 */
final class StageOrder {

	static final String PROPERTY = "resilience.order";

	private static final String ACTION = "Set " + PROPERTY + " to every stage exactly once, outermost first, "
			+ "for example the default: " + names(Pipeline.Stage.DEFAULT_ORDER) + ".";

	private StageOrder() {
	}

	/**
	 * Checks that an order names every stage exactly once.
	 * @param order the bound order, or {@code null} for the default
	 * @return the order, unmodifiable
	 * @throws ResilienceConfigurationException if a stage is named twice or left out
	 */
	static List<Pipeline.Stage> check(@Nullable List<Pipeline.Stage> order) {
		if (order == null) {
			return Pipeline.Stage.DEFAULT_ORDER;
		}
		Set<Pipeline.Stage> seen = EnumSet.noneOf(Pipeline.Stage.class);
		for (Pipeline.Stage stage : order) {
			if (stage == null) {
				throw invalid(order, "names no stage at some position");
			}
			if (!seen.add(stage)) {
				throw invalid(order, "names " + name(stage) + " twice");
			}
		}
		if (seen.size() != Pipeline.Stage.values().length) {
			List<Pipeline.Stage> missing = new ArrayList<>(Pipeline.Stage.DEFAULT_ORDER);
			missing.removeAll(seen);
			throw invalid(order, "leaves out " + names(missing));
		}
		return List.copyOf(order);
	}

	/**
	 * Describes a name in the order that is not a stage.
	 * @param value the name
	 * @param property the property it came from ({@code resilience.order} or an element
	 * of it)
	 * @return the exception to report
	 */
	static ResilienceConfigurationException unknownStage(Object value, String property) {
		return new ResilienceConfigurationException(property,
				"'" + value + "' is not a stage; the stages are " + names(Pipeline.Stage.DEFAULT_ORDER), ACTION);
	}

	private static ResilienceConfigurationException invalid(List<Pipeline.Stage> order, String problem) {
		List<String> given = new ArrayList<>(order.size());
		for (Pipeline.Stage stage : order) {
			given.add((stage != null) ? name(stage) : "null");
		}
		return new ResilienceConfigurationException(PROPERTY,
				"the order " + given + " " + problem + "; every stage must be named exactly once", ACTION);
	}

	private static String names(List<Pipeline.Stage> stages) {
		List<String> names = new ArrayList<>(stages.size());
		stages.forEach((stage) -> names.add(name(stage)));
		return String.join(", ", names);
	}

	private static String name(Pipeline.Stage stage) {
		return stage.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
