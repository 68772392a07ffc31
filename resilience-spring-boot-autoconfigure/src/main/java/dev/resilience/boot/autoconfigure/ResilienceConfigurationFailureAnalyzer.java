package dev.resilience.boot.autoconfigure;

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
 * is reported here too, in the same words as the other order mistakes.
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
			cause = unknownStage(failure);
		}
		if (cause == null) {
			return null;
		}
		return new FailureAnalysis("Invalid resilience configuration: " + cause.getMessage(), cause.action(), cause);
	}

	private static @Nullable ResilienceConfigurationException unknownStage(Throwable failure) {
		BindException bind = findCause(failure, BindException.class);
		if (bind == null) {
			return null;
		}
		ConversionFailedException conversion = findCause(bind, ConversionFailedException.class);
		if (conversion == null || conversion.getTargetType().getType() != Pipeline.Stage.class
				|| conversion.getValue() == null) {
			return null;
		}
		String property = (bind.getProperty() != null) ? bind.getProperty().getName().toString()
				: bind.getName().toString();
		return StageOrder.unknownStage(conversion.getValue(), property);
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
