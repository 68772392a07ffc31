package dev.resilience.boot.aop;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.core.KeySelector;
import org.aopalliance.intercept.MethodInvocation;

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
 * SpEL once it has run a few times), its variables are checked against the method's
 * parameter names, and each call only evaluates it over the call's arguments.
 * <p>
 * Variables: each parameter by name ({@code #request}), and {@code #args} for the
 * argument array. A {@code null} key uses the instance's shared state.
 */
final class KeyExpressions {

	private static final SpelExpressionParser parser = new SpelExpressionParser(
			new SpelParserConfiguration(SpelCompilerMode.MIXED, KeyExpressions.class.getClassLoader()));

	private KeyExpressions() {
	}

	/**
	 * Compiles a key expression for a method.
	 * @param expression the SpEL expression
	 * @param method the annotated method
	 * @param subject the annotation, as the user wrote it, for messages
	 * @return the key selector over a {@link MethodInvocation} context
	 * @throws ResilienceConfigurationException if the expression does not parse or names
	 * a variable the method does not have
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
		String[] names = parameterNames(method, subject);
		Set<String> known = new java.util.HashSet<>(Arrays.asList(names));
		known.add("args");
		for (String variable : variables(parsed)) {
			if (!known.contains(variable)) {
				throw new ResilienceConfigurationException(subject, "the key refers to #" + variable
						+ ", which is not a parameter of the method (parameters: " + String.join(", ", names) + ")",
						"Refer to a parameter by its name, or to #args[i].");
			}
		}
		return (context) -> {
			Object[] arguments = ((MethodInvocation) context).getArguments();
			StandardEvaluationContext evaluation = new StandardEvaluationContext();
			for (int i = 0; i < names.length; i++) {
				evaluation.setVariable(names[i], arguments[i]);
			}
			evaluation.setVariable("args", arguments);
			return parsed.getValue(evaluation);
		};
	}

	private static String[] parameterNames(Method method, String subject) {
		String[] names = new DefaultParameterNameDiscoverer().getParameterNames(method);
		if (names == null && method.getParameterCount() > 0) {
			throw new ResilienceConfigurationException(subject,
					"the parameter names of the method are not available, so #name cannot be resolved",
					"Compile with -parameters (Spring Boot's build plugins do), or use #args[i].");
		}
		return (names != null) ? names : new String[0];
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
