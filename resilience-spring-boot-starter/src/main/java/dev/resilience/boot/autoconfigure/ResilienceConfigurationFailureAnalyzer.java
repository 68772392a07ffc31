package dev.resilience.boot.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link ResilienceConfigurationException} as a startup failure analysis: the
 * property or method at fault and what is wrong with it, then what to do.
 */
class ResilienceConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ResilienceConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ResilienceConfigurationException cause) {
		return new FailureAnalysis("Invalid resilience configuration: " + cause.getMessage(), cause.action(), cause);
	}

}
