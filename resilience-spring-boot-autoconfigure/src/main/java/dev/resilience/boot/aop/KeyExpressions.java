package dev.resilience.boot.aop;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.core.KeyEvaluationException;
import dev.resilience.core.KeySelector;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelCompilerMode;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.StandardEvaluationContext;

/**
 * Compiles the {@code key} of {@code @RateLimited} and {@code @Bulkhead} at startup into
 * a {@link KeySelector}: the SpEL expression is parsed once (and compiled to bytecode by
 * SpEL once it has run a few times), the variables it uses are checked against the
 * method's parameters, and each call only evaluates it over the call's arguments.
 * <p>
 * Variables: {@code #args} for the argument array, {@code #p0}/{@code #a0} (and so on)
 * for an argument by index, and each parameter by name ({@code #request}). Only a named
 * parameter needs the parameter names (a class compiled with {@code -parameters}). A
 * {@code null} key uses the instance's shared state. An expression that fails for a call
 * ({@code #user.length()} with a {@code null} user) throws a
 * {@link KeyEvaluationException} that names the method and the expression: the caller's
 * error, which the pipeline raises before any stage runs.
 */
final class KeyExpressions {

	private static final SpelExpressionParser parser = new SpelExpressionParser(
			new SpelParserConfiguration(SpelCompilerMode.MIXED, KeyExpressions.class.getClassLoader()));

	/** The argument array. */
	private static final String ARGS = "args";

	/** SpEL's own variables, always there. */
	private static final Set<String> BUILT_IN = Set.of("root", "this");

	private static final Pattern BY_INDEX = Pattern.compile("[ap](\\d+)");

	private KeyExpressions() {
	}

	/**
	 * Compiles a key expression for a method.
	 * @param expression the SpEL expression
	 * @param method the annotated method
	 * @param subject the annotation, as the user wrote it, for messages
	 * @return the key selector over a {@link MethodInvocation} context
	 * @throws ResilienceConfigurationException if the expression does not parse or uses a
	 * variable the method does not have
	 */
	static KeySelector compile(String expression, Method method, String subject) {
		Expression parsed;
		try {
			parsed = parser.parseExpression(expression);
		}
		catch (ParseException ex) {
			throw new ResilienceConfigurationException(subject,
					"the key is not a valid SpEL expression: " + ex.getMessage(),
					"Fix the expression, for example key = \"#userId\".");
		}
		// Each variable the expression uses, bound to the argument it reads (-1: the
		// whole array); set per call, and only those.
		Map<String, Integer> bindings = new LinkedHashMap<>();
		@Nullable String[] names = null;
		boolean namesLookedUp = false;
		for (String variable : variables(parsed)) {
			if (bindings.containsKey(variable) || BUILT_IN.contains(variable)) {
				continue;
			}
			if (variable.equals(ARGS)) {
				bindings.put(variable, -1);
				continue;
			}
			if (!namesLookedUp) {
				names = new DefaultParameterNameDiscoverer().getParameterNames(method);
				namesLookedUp = true;
			}
			int index = (names != null) ? Arrays.asList(names).indexOf(variable) : -1;
			if (index < 0) {
				index = byIndex(variable, method, subject);
			}
			if (index < 0) {
				if (names == null) {
					throw new ResilienceConfigurationException(subject,
							"the key refers to #" + variable + ", but the parameter names of the method are not "
									+ "available, so #name cannot be resolved",
							"Compile with -parameters (Spring Boot's build plugins do), or use #args[i] or #p<i>.");
				}
				throw new ResilienceConfigurationException(subject,
						"the key refers to #" + variable + ", which is not a parameter of the method (parameters: "
								+ String.join(", ", names) + ")",
						"Refer to a parameter by its name, or to #args[i] or #p<i>.");
			}
			bindings.put(variable, index);
		}
		String[] variables = bindings.keySet().toArray(new String[0]);
		int[] indexes = bindings.values().stream().mapToInt(Integer::intValue).toArray();
		return (context) -> {
			Object[] arguments = ((MethodInvocation) context).getArguments();
			StandardEvaluationContext evaluation = new StandardEvaluationContext();
			for (int i = 0; i < variables.length; i++) {
				evaluation.setVariable(variables[i], (indexes[i] < 0) ? arguments : arguments[indexes[i]]);
			}
			try {
				return parsed.getValue(evaluation);
			}
			catch (RuntimeException ex) {
				throw new KeyEvaluationException(
						subject + ": the key could not be computed for this call: " + ex.getMessage(), ex);
			}
		};
	}

	/**
	 * Returns the index of {@code #p<i>} or {@code #a<i>}, or -1 if the variable is not
	 * one.
	 */
	private static int byIndex(String variable, Method method, String subject) {
		Matcher matcher = BY_INDEX.matcher(variable);
		if (!matcher.matches()) {
			return -1;
		}
		int index;
		try {
			index = Integer.parseInt(matcher.group(1));
		}
		catch (NumberFormatException ex) {
			index = Integer.MAX_VALUE;
		}
		if (index >= method.getParameterCount()) {
			throw new ResilienceConfigurationException(subject,
					"the key refers to #" + variable + ", but the method has " + method.getParameterCount()
							+ " parameters",
					"Refer to an argument from #" + variable.charAt(0) + "0 to #" + variable.charAt(0)
							+ (method.getParameterCount() - 1) + ", or by its name.");
		}
		return index;
	}

	private static List<String> variables(Expression expression) {
		List<String> variables = new ArrayList<>();
		if (expression instanceof SpelExpression spel) {
			collect(spel.getAST(), variables);
		}
		return variables;
	}

	private static void collect(SpelNode node, List<String> variables) {
		if (node instanceof VariableReference) {
			String name = node.toStringAST();
			variables.add(name.startsWith("#") ? name.substring(1) : name);
		}
		for (int i = 0; i < node.getChildCount(); i++) {
			collect(node.getChild(i), variables);
		}
	}

}
