package dev.resilience.boot.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

class ResilienceConfigurationFailureAnalyzerTests {

	@Test
	void describesTheSubjectAndProblemAndGivesTheAction() {
		ResilienceConfigurationException failure = new ResilienceConfigurationException(
				"resilience.retry.instances.search.max-attempts", "invalid value '0': maxAttempts must be at least 1",
				"Update resilience.retry.instances.search.max-attempts to a valid value.");
		FailureAnalysis analysis = new ResilienceConfigurationFailureAnalyzer()
			.analyze(new IllegalStateException("wrapper", failure));
		assertThat(analysis.getDescription()).contains("resilience.retry.instances.search.max-attempts")
			.contains("maxAttempts must be at least 1");
		assertThat(analysis.getAction()).isEqualTo(failure.action());
		assertThat(analysis.getCause()).isSameAs(failure);
	}

}
