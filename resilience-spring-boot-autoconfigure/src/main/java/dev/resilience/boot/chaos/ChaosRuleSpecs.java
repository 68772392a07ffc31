package dev.resilience.boot.chaos;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.chaos.ChaosFault;
import dev.resilience.chaos.ChaosRuleConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.util.ClassUtils;

/**
 * Turns what a rule says ({@link ResilienceProperties.ChaosRuleSettings}, from the
 * properties or an endpoint body) into its {@link ChaosRuleConfig}, checking every field:
 * the exception class is loaded and instantiated once here (so that an unknown or
 * non-instantiable one fails at once), the result bean looked up. Each injection then
 * makes a fresh exception through a method handle resolved here. Stateless apart from
 * what it was built with; thread-safe.
 */
final class ChaosRuleSpecs {

	private static final String FAULTS = Arrays.stream(ChaosFault.values()).map(ChaosFault::value).toList().toString();

	private final @Nullable ClassLoader classLoader;

	private final BeanFactory beans;

	ChaosRuleSpecs(@Nullable ClassLoader classLoader, BeanFactory beans) {
		this.classLoader = classLoader;
		this.beans = beans;
	}

	/**
	 * Checks a rule.
	 * @param rule the rule's name
	 * @param spec what it says
	 * @return its target and configuration
	 * @throws InvalidChaosRuleException naming the first field that is wrong
	 */
	Checked check(String rule, ResilienceProperties.ChaosRuleSettings spec) {
		String target = spec.target();
		if (target == null || target.isBlank()) {
			throw new InvalidChaosRuleException("target", "target", String.valueOf(target), "a rule needs a target",
					"Give the name of an instance (of any primitive) or beanName.method.");
		}
		ChaosFault fault = fault(spec.fault());
		Double rate = spec.rate();
		if (rate == null || !(rate >= 0.0 && rate <= 1.0)) {
			throw new InvalidChaosRuleException("rate", "rate", String.valueOf(rate),
					"the fraction of calls affected must be between 0.0 and 1.0",
					"Give a rate such as 0.1 (one call in ten); there is no default, so that no rule hits every call by omission.");
		}
		ChaosRuleConfig.Builder builder = ChaosRuleConfig.builder(fault)
			.rate(rate)
			.enabled(spec.enabled() == null || spec.enabled());
		switch (fault) {
			case EXCEPTION -> builder.exception(exception(rule, spec));
			case LATENCY -> latency(builder, spec);
			case RESULT -> builder.result(result(spec.result()));
		}
		try {
			return new Checked(target.trim(), builder.build());
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			throw new InvalidChaosRuleException("fault", "fault", fault.value(), ex.getMessage(),
					"Fix the rule's fields.");
		}
	}

	private static ChaosFault fault(@Nullable String fault) {
		if (fault != null) {
			String wanted = fault.trim().toLowerCase(Locale.ROOT);
			for (ChaosFault candidate : ChaosFault.values()) {
				if (candidate.value().equals(wanted)) {
					return candidate;
				}
			}
		}
		throw new InvalidChaosRuleException("fault", "fault", String.valueOf(fault), "no such fault",
				"Give one of " + FAULTS + ".");
	}

	private Supplier<Throwable> exception(String rule, ResilienceProperties.ChaosRuleSettings spec) {
		String name = spec.exception();
		if (name == null || name.isBlank()) {
			throw new InvalidChaosRuleException("exception", "exception", String.valueOf(name),
					"an exception fault needs the class of the exception it throws",
					"Give a class name such as java.io.IOException.");
		}
		Class<?> type;
		try {
			type = ClassUtils.forName(name.trim(), this.classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			throw new InvalidChaosRuleException("exception", "exception", name, "no such class on the class path",
					"Give the fully qualified name of an exception class.");
		}
		if (!Throwable.class.isAssignableFrom(type)) {
			throw new InvalidChaosRuleException("exception", "exception", name, "not a Throwable",
					"Give an exception class (a subclass of Throwable).");
		}
		String message = "chaos: rule '" + rule + "': " + ((spec.message() != null && !spec.message().isBlank())
				? spec.message() : "injected " + type.getSimpleName());
		MethodHandle constructor = constructor(type, name);
		Supplier<Throwable> factory = () -> {
			try {
				return (Throwable) constructor.invoke(message);
			}
			catch (Throwable ex) {
				// Checked once below: a constructor that threw there would not be here.
				IllegalStateException failed = new IllegalStateException(message, ex);
				return failed;
			}
		};
		// Instantiated once now, so that one that cannot be made fails here, not at the
		// first injection.
		try {
			constructor.invoke(message);
		}
		catch (Throwable ex) {
			throw new InvalidChaosRuleException("exception", "exception", name, "its constructor threw " + ex,
					"Give an exception class whose (String) or no-argument constructor works.");
		}
		return factory;
	}

	private static MethodHandle constructor(Class<?> type, String name) {
		MethodHandles.Lookup lookup = MethodHandles.publicLookup();
		try {
			return lookup.findConstructor(type, MethodType.methodType(void.class, String.class))
				.asType(MethodType.methodType(Object.class, String.class));
		}
		catch (NoSuchMethodException | IllegalAccessException ex) {
			try {
				MethodHandle plain = lookup.findConstructor(type, MethodType.methodType(void.class))
					.asType(MethodType.methodType(Object.class));
				// No message constructor: the message cannot be set, the type is kept.
				return MethodHandles.dropArguments(plain, 0, String.class);
			}
			catch (NoSuchMethodException | IllegalAccessException none) {
				throw new InvalidChaosRuleException("exception", "exception", name,
						"it has no public (String) or no-argument constructor",
						"Give an exception class that can be instantiated, such as java.io.IOException.");
			}
		}
	}

	private static void latency(ChaosRuleConfig.Builder builder, ResilienceProperties.ChaosRuleSettings spec) {
		Duration fixed = spec.latency();
		Duration min = spec.latencyMin();
		Duration max = spec.latencyMax();
		if (fixed != null && (min != null || max != null)) {
			throw new InvalidChaosRuleException("latency", "latency", String.valueOf(fixed),
					"give latency or latency-min and latency-max, not both", "Keep one of the two forms.");
		}
		if (fixed != null) {
			checkDuration("latency", "latency", fixed);
			builder.latency(fixed);
			return;
		}
		if (min == null || max == null) {
			throw new InvalidChaosRuleException((min == null) ? "latency-min" : "latency-max",
					(min == null) ? "latencyMin" : "latencyMax", "null",
					"a latency fault needs latency, or both latency-min and latency-max",
					"Give latency: 2s, or latency-min: 100ms and latency-max: 2s.");
		}
		checkDuration("latency-min", "latencyMin", min);
		checkDuration("latency-max", "latencyMax", max);
		if (max.compareTo(min) < 0) {
			throw new InvalidChaosRuleException("latency-max", "latencyMax", String.valueOf(max),
					"shorter than latency-min (" + min + ")", "Give a latency-max of at least latency-min.");
		}
		builder.latency(min, max);
	}

	private static void checkDuration(String property, String field, Duration duration) {
		if (duration.isNegative() || duration.compareTo(ChaosRuleConfig.MAX_LATENCY) > 0) {
			throw new InvalidChaosRuleException(property, field, String.valueOf(duration),
					"must be between 0 and " + ChaosRuleConfig.MAX_LATENCY, "Give a duration such as 500ms.");
		}
	}

	private Supplier<?> result(@Nullable String bean) {
		if (bean == null || bean.isBlank()) {
			throw new InvalidChaosRuleException("result", "result", String.valueOf(bean),
					"a result fault needs the name of a ChaosResult bean",
					"Declare a ChaosResult bean and give its name.");
		}
		Object found;
		try {
			found = this.beans.getBean(bean.trim());
		}
		catch (NoSuchBeanDefinitionException ex) {
			throw new InvalidChaosRuleException("result", "result", bean, "no bean of that name",
					"Declare a ChaosResult bean named '" + bean + "'.");
		}
		if (!(found instanceof ChaosResult<?> result)) {
			throw new InvalidChaosRuleException("result", "result", bean,
					"the bean is a " + found.getClass().getName() + ", not a " + ChaosResult.class.getSimpleName(),
					"Give the name of a bean that implements " + ChaosResult.class.getName() + ".");
		}
		return result::get;
	}

	/**
	 * A checked rule.
	 *
	 * @param target what it targets
	 * @param config what it injects
	 */
	record Checked(String target, ChaosRuleConfig config) {
	}

}
