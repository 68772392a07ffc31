package dev.resilience.boot.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard and the alert rules are complete and consistent with the runbook: every
 * panel says what it answers and reads the data source variable, the variables exist,
 * every alert is tiered, names its instance and links to a runbook entry that exists.
 */
class OpsFilesTests {

	@Test
	void everyPanelHasADescriptionAndReadsTheDataSourceVariable() {
		List<String> problems = new ArrayList<>();
		for (JsonNode panel : panels(OpsFiles.dashboard().get("panels"))) {
			String title = panel.path("title").asString();
			if (panel.path("type").asString().equals("row")) {
				continue;
			}
			if (panel.path("description").asString().isBlank()) {
				problems.add(title + ": no description");
			}
			if (!panel.path("datasource").path("uid").asString().equals("${datasource}")) {
				problems.add(title + ": data source is not ${datasource}");
			}
			if (panel.path("targets").isEmpty()) {
				problems.add(title + ": no query");
			}
			for (JsonNode target : panel.path("targets")) {
				if (!target.path("datasource").path("uid").asString().equals("${datasource}")) {
					problems.add(title + " " + target.path("refId").asString() + ": data source is not ${datasource}");
				}
			}
		}
		assertThat(problems).isEmpty();
	}

	@Test
	void theDashboardHasAPrometheusDataSourceVariableAndFiltersByApplicationAndInstance() {
		JsonNode dashboard = OpsFiles.dashboard();
		Map<String, JsonNode> variables = new java.util.LinkedHashMap<>();
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			variables.put(variable.path("name").asString(), variable);
		}
		assertThat(variables).containsKeys("datasource", "application", "instance");
		assertThat(variables.get("datasource").path("type").asString()).isEqualTo("datasource");
		assertThat(variables.get("datasource").path("query").asString()).isEqualTo("prometheus");
		assertThat(variables.get("application").path("query").asString()).contains(", application)");
		assertThat(variables.get("instance").path("query").asString()).contains(", instance)");
		// Every query that reads a resilience meter filters by both variables.
		OpsFiles.dashboardExpressions().forEach((where, expr) -> {
			if (!where.startsWith("variable")) {
				assertThat(expr).as(where).contains("application=~\"$application\"", "instance=~\"$instance\"");
			}
		});
		assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
	}

	@Test
	void theDashboardShowsWhatTheIssueAsksFor() {
		List<String> types = new ArrayList<>();
		List<String> exprs = new ArrayList<>(OpsFiles.dashboardExpressions().values());
		for (JsonNode panel : panels(OpsFiles.dashboard().get("panels"))) {
			types.add(panel.path("type").asString());
		}
		assertThat(types).contains("state-timeline", "timeseries");
		String all = String.join("\n", exprs);
		assertThat(all).contains("resilience_circuitbreaker_state", "resilience_circuitbreaker_failure_rate",
				"resilience_circuitbreaker_slow_call_rate", "resilience_call_seconds_count",
				"histogram_quantile(0.99, sum by (le, resilience_method) (rate(resilience_call_seconds_bucket",
				"resilience_retry_calls_total", "resilience_retry_budget_exhausted_total",
				"resilience_ratelimiter_calls_total{outcome=\"rejected\"", "resilience_ratelimiter_available_permits",
				"resilience_bulkhead_active_calls", "resilience_bulkhead_max_calls", "resilience_ratelimiter_keys",
				"resilience_bulkhead_keys", "resilience_ratelimiter_backend_failures_total");
	}

	@Test
	void everyAlertIsTieredNamesItsInstanceAndLinksToARunbookEntryThatExists() {
		Set<String> anchors = OpsFiles.anchors(OpsFiles.OPERATIONS);
		List<String> problems = new ArrayList<>();
		List<Map<String, Object>> rules = OpsFiles.alertRules();
		assertThat(rules).isNotEmpty();
		Set<String> severities = new java.util.TreeSet<>();
		for (Map<String, Object> rule : rules) {
			String alert = (String) rule.get("alert");
			@SuppressWarnings("unchecked")
			Map<String, String> labels = (Map<String, String>) rule.getOrDefault("labels", Map.of());
			@SuppressWarnings("unchecked")
			Map<String, String> annotations = (Map<String, String>) rule.getOrDefault("annotations", Map.of());
			String severity = labels.get("severity");
			if (!List.of("page", "ticket", "info").contains(severity)) {
				problems.add(alert + ": severity " + severity);
			}
			severities.add(severity);
			if (annotations.getOrDefault("summary", "").isBlank()) {
				problems.add(alert + ": no summary");
			}
			if (!annotations.getOrDefault("description", "").contains("{{ $labels.name }}")) {
				problems.add(alert + ": the description does not name the instance ({{ $labels.name }})");
			}
			String runbook = annotations.getOrDefault("runbook_url", "");
			if (!runbook.startsWith(OpsFiles.RUNBOOK_BASE)) {
				problems.add(alert + ": runbook_url " + runbook + " is not in docs/operations.md");
			}
			else if (!anchors.contains(runbook.substring(OpsFiles.RUNBOOK_BASE.length()))) {
				problems.add(alert + ": no heading in docs/operations.md for " + runbook);
			}
		}
		assertThat(problems).isEmpty();
		assertThat(severities).containsExactly("info", "page", "ticket");
	}

	@Test
	void theRunbookHasOneEntryPerAlertAndNoOther() {
		List<String> alerts = OpsFiles.alertRules().stream().map((rule) -> (String) rule.get("alert")).toList();
		assertThat(OpsFiles.headingsUnder(OpsFiles.OPERATIONS, "### Runbook", "####"))
			.containsExactlyInAnyOrderElementsOf(alerts);
	}

	@Test
	void anchorsAreComputedAsGitHubDoes() {
		// The fenced "# TYPE ..." line of the scrape example is no heading; headings with
		// backticks, colons and repeats get GitHub's anchors.
		Set<String> anchors = OpsFiles.anchors(OpsFiles.OPERATIONS);
		assertThat(anchors).contains("metrics", "circuitbreakers",
				"thread-pool-bulkheads-context-propagation-and-lifecycle",
				"when-redis-is-slow-hung-down-read-only-or-restarted", "configuration", "switching-it-off",
				"switching-it-off-1");
		assertThat(anchors).noneMatch((anchor) -> anchor.startsWith("type-resilience"));
	}

	@Test
	void theReadmeDescribesEveryPanelOfTheDashboardAndNoOther() {
		List<String> titles = new ArrayList<>();
		for (JsonNode panel : panels(OpsFiles.dashboard().get("panels"))) {
			if (!panel.path("type").asString().equals("row")) {
				titles.add(panel.path("title").asString());
			}
		}
		List<String> described = new ArrayList<>();
		boolean inside = false;
		for (String line : OpsFiles.read(OpsFiles.ROOT.resolve("README.md")).lines().toList()) {
			if (line.startsWith("## ")) {
				inside = line.equals("## Dashboard and alerts");
			}
			else if (inside && line.startsWith("| ") && !line.startsWith("| panel |")) {
				described.add(line.substring(2, line.indexOf(" |", 2)));
			}
		}
		assertThat(described).containsExactlyElementsOf(titles);
	}

	@Test
	void theLinksBetweenTheOpsDocumentsLeadToHeadingsThatExist() {
		// Relative links with an anchor, in the documents this part of the project
		// writes: README.md, docs/operations.md, sample-app/README.md.
		java.util.regex.Pattern link = java.util.regex.Pattern.compile("\\]\\(([^)#\\s]*)#([^)\\s]+)\\)");
		List<String> problems = new ArrayList<>();
		for (String document : List.of("README.md", "docs/operations.md", "sample-app/README.md")) {
			java.nio.file.Path file = OpsFiles.ROOT.resolve(document);
			java.util.regex.Matcher matcher = link.matcher(OpsFiles.read(file));
			while (matcher.find()) {
				String target = matcher.group(1);
				if (target.startsWith("http")) {
					continue;
				}
				java.nio.file.Path targetFile = target.isEmpty() ? file : file.getParent().resolve(target).normalize();
				if (!OpsFiles.anchors(targetFile).contains(matcher.group(2))) {
					problems.add(document + ": " + matcher.group());
				}
			}
		}
		assertThat(problems).isEmpty();
	}

	private static List<JsonNode> panels(JsonNode panels) {
		List<JsonNode> all = new ArrayList<>();
		if (panels != null) {
			for (JsonNode panel : panels) {
				all.add(panel);
				all.addAll(panels(panel.get("panels")));
			}
		}
		return all;
	}

}
