package dev.resilience.boot.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.util.ClassUtils;

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

	@Test
	void leavesOtherFailuresToTheOtherAnalyzers() {
		assertThat(new ResilienceConfigurationFailureAnalyzer()
			.analyze(new IllegalStateException("wrapper", new IllegalArgumentException("unrelated")))).isNull();
	}

	@Test
	void comesBeforeSpringBootsBindFailureAnalyzerWhateverTheClassPathOrder() throws Exception {
		// A failure while properties are bound is inside a BindException, which the
		// binder's analyzer would describe without our message. Spring Boot sorts the
		// analyzers with this comparator; unordered ones keep their class path order.
		FailureAnalyzer bind = (FailureAnalyzer) BeanUtils.instantiateClass(
				ClassUtils.forName("org.springframework.boot.diagnostics.analyzer.BindFailureAnalyzer", null));
		FailureAnalyzer ours = new ResilienceConfigurationFailureAnalyzer();
		List<FailureAnalyzer> analyzers = new ArrayList<>(List.of(bind, ours));
		AnnotationAwareOrderComparator.sort(analyzers);
		assertThat(analyzers).containsExactly(ours, bind);
	}

}
