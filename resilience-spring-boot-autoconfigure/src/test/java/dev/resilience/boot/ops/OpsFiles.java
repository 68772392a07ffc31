package dev.resilience.boot.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The repository's dashboard, alert rules and runbook, read as the tests need them. Paths
 * are relative to this module's directory, where Maven runs its tests.
 */
final class OpsFiles {

	static final Path ROOT = Path.of("..");

	static final Path DASHBOARD = ROOT.resolve("ops/grafana/resilience-dashboard.json");

	static final Path ALERTS = ROOT.resolve("ops/prometheus/resilience-alerts.yml");

	static final Path ALERT_TESTS = ROOT.resolve("ops/prometheus/resilience-alerts.test.yml");

	static final Path OPERATIONS = ROOT.resolve("docs/operations.md");

	static final String RUNBOOK_BASE = "https://github.com/resilience-dev/resilience/blob/main/docs/operations.md#";

	// label_values(selector, label) and label_values(label) are Grafana's, not PromQL.
	private static final Pattern LABEL_VALUES = Pattern
		.compile("^\\s*label_values\\(\\s*(?:(.*),)?\\s*[a-zA-Z_][a-zA-Z0-9_]*\\s*\\)\\s*$", Pattern.DOTALL);

	private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);

	private OpsFiles() {
	}

	static JsonNode dashboard() {
		return JsonMapper.builder().build().readTree(read(DASHBOARD));
	}

	/**
	 * Every PromQL expression of the dashboard: the {@code expr} of every target of every
	 * panel (rows' nested panels included) and the PromQL inside every query variable.
	 * @return expressions by where they are, for messages
	 */
	static Map<String, String> dashboardExpressions() {
		JsonNode dashboard = dashboard();
		Map<String, String> expressions = new LinkedHashMap<>();
		collectTargets(dashboard.get("panels"), expressions);
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if (!"query".equals(variable.path("type").asString())) {
				continue;
			}
			JsonNode query = variable.get("query");
			String text = query.isObject() ? query.path("query").asString() : query.asString();
			String promql = variableQuery(text);
			if (promql != null) {
				expressions.put("variable " + variable.path("name").asString(), promql);
			}
		}
		return expressions;
	}

	private static void collectTargets(JsonNode panels, Map<String, String> expressions) {
		if (panels == null) {
			return;
		}
		for (JsonNode panel : panels) {
			for (JsonNode target : panel.path("targets")) {
				String expr = target.path("expr").asString();
				if (expr == null || expr.isBlank()) {
					throw new IllegalStateException(
							"panel '" + panel.path("title").asString() + "' has a target without expr");
				}
				expressions.put("panel '" + panel.path("title").asString() + "' " + target.path("refId").asString(),
						expr);
			}
			collectTargets(panel.get("panels"), expressions);
		}
	}

	/**
	 * Returns the PromQL inside a Grafana variable query, or {@code null} when it reads
	 * none ({@code label_values(label)}, {@code label_names()}, {@code metrics(regex)}).
	 */
	static String variableQuery(String query) {
		Matcher labelValues = LABEL_VALUES.matcher(query);
		if (labelValues.matches()) {
			return labelValues.group(1);
		}
		Matcher queryResult = QUERY_RESULT.matcher(query);
		if (queryResult.matches()) {
			return queryResult.group(1);
		}
		String trimmed = query.trim();
		if (trimmed.startsWith("label_names(") || trimmed.startsWith("metrics(")) {
			return null;
		}
		return query;
	}

	/**
	 * The alert rules, one map per rule, in file order.
	 * @return the rules
	 */
	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> alertRules() {
		Map<String, Object> file = new Yaml().load(read(ALERTS));
		List<Map<String, Object>> rules = new ArrayList<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
			rules.addAll((List<Map<String, Object>>) group.get("rules"));
		}
		return rules;
	}

	static Map<String, String> alertExpressions() {
		Map<String, String> expressions = new LinkedHashMap<>();
		for (Map<String, Object> rule : alertRules()) {
			String name = (rule.get("alert") != null) ? "alert " + rule.get("alert") : "record " + rule.get("record");
			expressions.put(name, String.valueOf(rule.get("expr")));
		}
		return expressions;
	}

	/**
	 * The GitHub anchors of a Markdown file's headings (fenced code skipped): lower case,
	 * punctuation but {@code -} and {@code _} dropped, spaces turned into {@code -}, and
	 * {@code -1}, {@code -2} ... appended to repeats.
	 * @param markdown the file
	 * @return the anchors
	 */
	static Set<String> anchors(Path markdown) {
		Set<String> anchors = new LinkedHashSet<>();
		Map<String, Integer> seen = new LinkedHashMap<>();
		boolean fenced = false;
		for (String line : read(markdown).lines().toList()) {
			String stripped = line.strip();
			if (stripped.startsWith("```") || stripped.startsWith("~~~")) {
				fenced = !fenced;
				continue;
			}
			if (fenced || !line.matches("^#{1,6} .*")) {
				continue;
			}
			String text = line.replaceFirst("^#{1,6} ", "").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").strip();
			String anchor = text.toLowerCase(Locale.ROOT)
				.replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
				.replace(' ', '-');
			int count = seen.merge(anchor, 1, Integer::sum);
			anchors.add((count == 1) ? anchor : anchor + "-" + (count - 1));
		}
		return anchors;
	}

	/**
	 * The headings of one level under a heading of a Markdown file.
	 * @param markdown the file
	 * @param parent the parent heading's line, e.g. {@code "### Runbook"}
	 * @param level the children's marker, e.g. {@code "####"}
	 * @return the children's texts
	 */
	static List<String> headingsUnder(Path markdown, String parent, String level) {
		List<String> children = new ArrayList<>();
		boolean inside = false;
		int parentLevel = parent.indexOf(' ');
		for (String line : read(markdown).lines().toList()) {
			if (line.equals(parent)) {
				inside = true;
				continue;
			}
			if (inside && line.matches("^#{1," + parentLevel + "} .*")) {
				break;
			}
			if (inside && line.startsWith(level + " ")) {
				children.add(line.substring(level.length() + 1).strip());
			}
		}
		return children;
	}

	static String read(Path path) {
		try {
			return Files.readString(path, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot read " + path.toAbsolutePath().normalize(), ex);
		}
	}

}
