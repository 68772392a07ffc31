package dev.resilience.boot.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PromQlTests {

	@Test
	void aMetricIsFoundInsideFunctionsAggregationsAndRanges() {
		assertThat(PromQl.metricNames(
				"sum by (name, outcome) (rate(resilience_retry_calls_total{outcome=\"rejected\", name=~\"$name\"}[$__rate_interval]))"))
			.containsExactly("resilience_retry_calls_total");
	}

	@Test
	void labelListsOfGroupingAndMatchingKeywordsAreNotMetrics() {
		assertThat(PromQl.metricNames(
				"max without (instance) (a) / ignoring (kind) group_left (on_backend_failure) b and on (application, name) c unless d or e"))
			.containsExactly("a", "b", "c", "d", "e");
		assertThat(PromQl.metricNames("sum(rate(x_total[5m])) by (le)")).containsExactly("x_total");
	}

	@Test
	void numbersDurationsOffsetsAndComparisonsAreSkipped() {
		assertThat(PromQl.metricNames(
				"histogram_quantile(0.99, sum by (le) (rate(a_bucket[5m:30s] offset 1h30m))) > bool 1e-3 * 0x1F + .5"))
			.containsExactly("a_bucket");
		assertThat(PromQl.metricNames("changes(state[10m]) / 2 > 6")).containsExactly("state");
	}

	@Test
	void stringsAndLabelMatchersMayHoldBracketsAndNames() {
		assertThat(PromQl.metricNames(
				"label_replace(up{job=\"a}b\", x='{'}, \"dst\", \"$1\", \"src\", \"(not_a_metric)\") or count_values(\"le\", y)"))
			.containsExactly("up", "y");
	}

	@Test
	void callsOfFunctionsWithoutArgumentsReadNoMetric() {
		assertThat(PromQl.metricNames("vector(0) + time() - scalar(z)")).containsExactly("z");
		assertThat(PromQl.metricNames("{__name__=~\"resilience_.+\"}")).isEmpty();
	}

	@Test
	void commentsAndGrafanaVariablesAreSkipped() {
		assertThat(PromQl.metricNames("# not_this\nrate(that[${__interval}]) * $scale")).containsExactly("that");
	}

	@Test
	void aMultiLineExpressionIsReadWhole() {
		assertThat(PromQl.metricNames("max by (a) (\n0 * (s{state=\"closed\"} == 1)\n  or 1 * (t == 1)\n)"))
			.containsExactly("s", "t");
	}

	@Test
	void unbalancedBracketsAndUnterminatedStringsFailLoudly() {
		assertThatIllegalArgumentException().isThrownBy(() -> PromQl.metricNames("rate(x[5m]"));
		assertThatIllegalArgumentException().isThrownBy(() -> PromQl.metricNames("x{a=\"b}"));
		assertThatIllegalArgumentException().isThrownBy(() -> PromQl.metricNames("x[5m"));
		assertThatIllegalArgumentException().isThrownBy(() -> PromQl.metricNames("x)"));
	}

}
