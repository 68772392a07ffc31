package dev.resilience.boot.autoconfigure;

import java.util.Arrays;
import java.util.Locale;

import dev.resilience.pipeline.Pipeline;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.convert.ConversionFailedException;

/**
 * Reports a {@link ResilienceConfigurationException} as a startup failure analysis: the
 * property or method at fault and what is wrong with it, then what to do. A name in
 * {@code resilience.order} that is no stage fails in the binder before our code runs; it
 * is reported here too, in the same words as the other order mistakes. So is a value the
 * binder cannot read as one of our properties' enums (such as
 * {@code resilience.metrics.naming}): the property, the value and the values it takes.
 * <p>
 * First among the analyzers: a {@link ResilienceConfigurationException} thrown while
 * properties are bound is also inside a {@link BindException}, and the binder's own
 * analysis would hide our message behind a stack of wrappers.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class ResilienceConfigurationFailureAnalyzer implements FailureAnalyzer {

	@Override
	public @Nullable FailureAnalysis analyze(Throwable failure) {
		ResilienceConfigurationException cause = findCause(failure, ResilienceConfigurationException.class);
		if (cause == null) {
			cause = unreadableValue(failure);
		}
		if (cause == null) {
			return null;
		}
		return new FailureAnalysis("Invalid resilience configuration: " + cause.getMessage(), cause.action(), cause);
	}

	private static @Nullable ResilienceConfigurationException unreadableValue(Throwable failure) {
		BindException bind = findCause(failure, BindException.class);
		if (bind == null) {
			return null;
		}
		ConversionFailedException conversion = findCause(bind, ConversionFailedException.class);
		if (conversion == null || conversion.getValue() == null) {
			return null;
		}
		Class<?> target = conversion.getTargetType().getType();
		String property = (bind.getProperty() != null) ? bind.getProperty().getName().toString()
				: bind.getName().toString();
		if (target == Pipeline.Stage.class) {
			return StageOrder.unknownStage(conversion.getValue(), property);
		}
		if (target.isEnum() && target.getEnclosingClass() == ResilienceProperties.class) {
			String values = String.join(", ",
					Arrays.stream(target.getEnumConstants())
						.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT))
						.toList());
			return new ResilienceConfigurationException(property,
					"invalid value '" + conversion.getValue() + "': not one of " + values,
					"Set " + property + " to one of " + values + " (or remove it for the default).");
		}
		return null;
	}

	private static <E extends Throwable> @Nullable E findCause(@Nullable Throwable failure, Class<E> type) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (type.isInstance(candidate)) {
				return type.cast(candidate);
			}
			if (candidate.getCause() == candidate) {
				break;
			}
		}
		return null;
	}

}
