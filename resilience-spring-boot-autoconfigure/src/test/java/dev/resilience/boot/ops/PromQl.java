package dev.resilience.boot.ops;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The metric names a PromQL expression reads, found by a small tokenizer rather than a
 * full parser: enough to tell which series a dashboard query or an alert needs.
 * <p>
 * Skipped: strings, label matchers ({@code {...}}), ranges and subqueries
 * ({@code [...]}), numbers and durations, comments, Grafana variables ({@code $name},
 * {@code ${name}}), function calls (a name followed by {@code (}), aggregation operators,
 * keywords, and the label lists that follow {@code by}, {@code without}, {@code on},
 * {@code ignoring}, {@code group_left} and {@code group_right}. Every other name is a
 * metric. Unbalanced brackets or an unterminated string fail loudly, so a typo in a query
 * is not silently read as "no metric".
 */
final class PromQl {

	private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
			"group_right");

	private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
			"count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

	private PromQl() {
	}

	/**
	 * Returns the metric names an expression reads, in order of appearance.
	 * @param expression a PromQL expression, possibly with Grafana variables
	 * @return the metric names
	 * @throws IllegalArgumentException if brackets do not balance or a string is not
	 * terminated
	 */
	static Set<String> metricNames(String expression) {
		Set<String> names = new LinkedHashSet<>();
		String text = expression;
		int depth = 0;
		int i = 0;
		while (i < text.length()) {
			char c = text.charAt(i);
			if (Character.isWhitespace(c)) {
				i++;
			}
			else if (c == '"' || c == '\'' || c == '`') {
				i = skipString(text, i);
			}
			else if (c == '#') {
				int end = text.indexOf('\n', i);
				i = (end < 0) ? text.length() : end + 1;
			}
			else if (c == '{') {
				i = skipBracket(text, i, '{', '}');
			}
			else if (c == '[') {
				i = skipBracket(text, i, '[', ']');
			}
			else if (c == '(') {
				depth++;
				i++;
			}
			else if (c == ')') {
				if (--depth < 0) {
					throw new IllegalArgumentException("unbalanced ')' at " + i + " in: " + expression);
				}
				i++;
			}
			else if (c == '}' || c == ']') {
				throw new IllegalArgumentException("unbalanced '" + c + "' at " + i + " in: " + expression);
			}
			else if (c == '$') {
				i = skipVariable(text, i);
			}
			else if (Character.isDigit(c)
					|| (c == '.' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
				i = skipNumber(text, i);
			}
			else if (isNameStart(c)) {
				int end = i + 1;
				while (end < text.length() && isNamePart(text.charAt(end))) {
					end++;
				}
				String name = text.substring(i, end);
				int next = skipWhitespace(text, end);
				boolean call = next < text.length() && text.charAt(next) == '(';
				String lower = name.toLowerCase(java.util.Locale.ROOT);
				if (LABEL_LIST_KEYWORDS.contains(lower)) {
					i = call ? skipBracket(text, next, '(', ')') : end;
				}
				else if (AGGREGATIONS.contains(lower) || KEYWORDS.contains(lower) || call) {
					i = end;
				}
				else {
					names.add(name);
					i = end;
				}
			}
			else {
				// An operator or a separator: + - * / % ^ = ! < > , @ :
				i++;
			}
		}
		if (depth != 0) {
			throw new IllegalArgumentException("unbalanced '(' in: " + expression);
		}
		return names;
	}

	private static boolean isNameStart(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
	}

	private static boolean isNamePart(char c) {
		return isNameStart(c) || (c >= '0' && c <= '9');
	}

	private static int skipWhitespace(String text, int from) {
		int i = from;
		while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
			i++;
		}
		return i;
	}

	private static int skipString(String text, int from) {
		char quote = text.charAt(from);
		int i = from + 1;
		while (i < text.length()) {
			char c = text.charAt(i);
			if (c == '\\' && quote != '`') {
				i += 2;
			}
			else if (c == quote) {
				return i + 1;
			}
			else {
				i++;
			}
		}
		throw new IllegalArgumentException("unterminated string at " + from + " in: " + text);
	}

	/** Skips a bracketed part, strings inside included; returns the index after it. */
	private static int skipBracket(String text, int from, char open, char close) {
		int depth = 0;
		int i = from;
		while (i < text.length()) {
			char c = text.charAt(i);
			if (c == '"' || c == '\'' || c == '`') {
				i = skipString(text, i);
				continue;
			}
			if (c == open) {
				depth++;
			}
			else if (c == close && --depth == 0) {
				return i + 1;
			}
			i++;
		}
		throw new IllegalArgumentException("unbalanced '" + open + "' at " + from + " in: " + text);
	}

	private static int skipVariable(String text, int from) {
		int i = from + 1;
		if (i < text.length() && text.charAt(i) == '{') {
			int end = text.indexOf('}', i);
			if (end < 0) {
				throw new IllegalArgumentException("unterminated ${ at " + from + " in: " + text);
			}
			return end + 1;
		}
		while (i < text.length() && isNamePart(text.charAt(i))) {
			i++;
		}
		return i;
	}

	/** Skips a number or a duration: 0.99, 1e-3, 0x1F, 5m, 1h30m. */
	private static int skipNumber(String text, int from) {
		int i = from;
		while (i < text.length()) {
			char c = text.charAt(i);
			if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
				i++;
			}
			else if ((c == '-' || c == '+') && (text.charAt(i - 1) == 'e' || text.charAt(i - 1) == 'E')
					&& !text.substring(from, i).toLowerCase(java.util.Locale.ROOT).startsWith("0x")) {
				i++;
			}
			else {
				break;
			}
		}
		return i;
	}

}
