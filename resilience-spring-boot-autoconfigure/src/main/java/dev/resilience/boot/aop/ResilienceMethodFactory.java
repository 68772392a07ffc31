package dev.resilience.boot.aop;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.stream.BaseStream;

import dev.resilience.annotation.Bulkhead;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.boot.observation.ProtectedMethod;
import dev.resilience.boot.observation.ResilienceObservations;
import dev.resilience.boot.chaos.ChaosSites;
import dev.resilience.deadline.DeadlineConfig;
import dev.resilience.pipeline.Pipeline;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutExceededException;
import dev.resilience.timeout.TimeoutRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * Compiles an annotated method into its interceptor at startup: takes the named instances
 * from the registries, checks that the annotations fit the method, resolves the fallback,
 * and builds the pipeline in the configured order. Everything that can be wrong is
 * reported here, before the application starts, with the method and the fix named.
 */
public final class ResilienceMethodFactory {

	private static final String SPRING_RETRYABLE = "org.springframework.resilience.annotation.Retryable";

	private static final String SPRING_CONCURRENCY_LIMIT = "org.springframework.resilience.annotation.ConcurrencyLimit";

	/** Return types that do their work when consumed, after the method has returned. */
	private static final List<Class<?>> LAZY_TYPES = List.of(BaseStream.class, Iterator.class, Spliterator.class,
			Enumeration.class);

	private final CircuitBreakerRegistry circuitBreakers;

	private final RetryRegistry retries;

	private final RateLimiterRegistry rateLimiters;

	private final BulkheadRegistry bulkheads;

	private final ThreadPoolBulkheadRegistry threadPoolBulkheads;

	private final TimeoutRegistry timeouts;

	private final List<Pipeline.Stage> order;

	private final BeanFactory beanFactory;

	private @Nullable ObjectProvider<ResilienceObservations> observations;

	private DeadlineConfig deadlines = DeadlineConfig.ofDefaults();

	private @Nullable ObjectProvider<ChaosSites> chaos;

	/**
	 * Creates a factory.
	 * @param circuitBreakers the circuit breaker registry
	 * @param retries the retry registry
	 * @param rateLimiters the rate limiter registry
	 * @param bulkheads the semaphore bulkhead registry
	 * @param threadPoolBulkheads the thread-pool bulkhead registry
	 * @param timeouts the timeout registry
	 * @param order the stage order, outermost first
	 * @param beanFactory the bean factory, for fallbacks on other beans
	 */
	public ResilienceMethodFactory(CircuitBreakerRegistry circuitBreakers, RetryRegistry retries,
			RateLimiterRegistry rateLimiters, BulkheadRegistry bulkheads,
			ThreadPoolBulkheadRegistry threadPoolBulkheads, TimeoutRegistry timeouts, List<Pipeline.Stage> order,
			BeanFactory beanFactory) {
		this.circuitBreakers = circuitBreakers;
		this.retries = retries;
		this.rateLimiters = rateLimiters;
		this.bulkheads = bulkheads;
		this.threadPoolBulkheads = threadPoolBulkheads;
		this.timeouts = timeouts;
		this.order = order;
		this.beanFactory = beanFactory;
	}

	/**
	 * Observes the calls of the methods compiled from now on, when the provider has
	 * {@link ResilienceObservations} (Micrometer Observations are on); without, calls are
	 * not observed and nothing is added to their path.
	 * @param observations the observations' settings, read when a method is compiled
	 */
	public void setObservations(ObjectProvider<ResilienceObservations> observations) {
		this.observations = observations;
	}

	/**
	 * Sets how the methods' pipelines treat the request's deadline; without it they
	 * enforce it and tell nobody.
	 * @param deadlines the deadline configuration
	 */
	public void setDeadlines(DeadlineConfig deadlines) {
		this.deadlines = deadlines;
	}

	/**
	 * Sets where the methods get their chaos site: while chaos is on, every method's
	 * pipeline holds one innermost; without one (chaos off) no pipeline has a chaos
	 * stage.
	 * @param chaos the chaos sites, read when a method is compiled
	 */
	public void setChaos(ObjectProvider<ChaosSites> chaos) {
		this.chaos = chaos;
	}

	ResilienceMethodInterceptor create(ResilienceAnnotations annotations, Object target, Class<?> targetClass) {
		return create(annotations, target, targetClass, org.springframework.util.StringUtils
			.uncapitalize(ClassUtils.getUserClass(targetClass).getSimpleName()));
	}

	ResilienceMethodInterceptor create(ResilienceAnnotations annotations, Object target, Class<?> targetClass,
			String beanName) {
		Method method = annotations.method();
		String subject = Signatures.describe(method);
		checkSpringAnnotations(annotations, method, targetClass, subject);
		ReturnAdapter adapter = ReturnAdapter.of(method, annotations.retry() != null, subject);
		if (adapter == null) {
			throw new ResilienceConfigurationException(subject,
					"return type " + method.getGenericReturnType().getTypeName() + " cannot be protected",
					"Return a plain value, CompletionStage or CompletableFuture (or, with reactor-core, Mono, Flux "
							+ "or another reactive type).");
		}
		// The method's pipeline is the one description of its stages: every return type's
		// path (plain values, futures, resilience-reactor's operators) reads it.
		Pipeline.Builder stages = Pipeline.builder().order(this.order).deadlines(this.deadlines);
		if (annotations.circuitBreaker() != null) {
			stages.circuitBreaker(this.circuitBreakers
				.instance(checkName(annotations.circuitBreaker().name(), "@CircuitBreaker", subject)));
		}
		if (annotations.retry() != null) {
			stages.retry(this.retries.instance(checkName(annotations.retry().name(), "@Retry", subject)));
		}
		if (annotations.rateLimited() != null) {
			var rateLimited = annotations.rateLimited();
			RateLimiter limiter = this.rateLimiters.instance(checkName(rateLimited.name(), "@RateLimited", subject));
			int capacity = limiter.config().effectiveBurstCapacity();
			if (rateLimited.permits() < 1 || rateLimited.permits() > capacity) {
				throw new ResilienceConfigurationException(
						subject + " @RateLimited(permits = " + rateLimited.permits() + ")",
						"permits must be between 1 and the rate limiter '" + limiter.name() + "''s burst capacity "
								+ capacity,
						"Lower permits, or raise resilience.ratelimiter.instances." + limiter.name()
								+ ".burst-capacity.");
			}
			if (rateLimited.key().isEmpty()) {
				stages.rateLimiter(limiter, rateLimited.permits());
			}
			else {
				stages.rateLimiter(limiter, rateLimited.permits(), KeyExpressions.compile(rateLimited.key(), method,
						subject + " @RateLimited(key = \"" + rateLimited.key() + "\")"));
			}
		}
		if (annotations.timeout() != null) {
			checkTimeoutCoversTheWork(method, adapter, subject);
			stages.timeout(this.timeouts.instance(checkName(annotations.timeout().name(), "@Timeout", subject)));
		}
		if (annotations.bulkhead() != null) {
			Bulkhead bulkhead = annotations.bulkhead();
			String name = checkName(bulkhead.name(), "@Bulkhead", subject);
			if (bulkhead.type() == Bulkhead.Type.THREAD_POOL) {
				if (!adapter.isAsynchronous()) {
					throw new ResilienceConfigurationException(subject + " @Bulkhead(type = THREAD_POOL)",
							"a thread-pool bulkhead runs calls on its own threads, so it needs an asynchronous "
									+ "return type, not " + method.getGenericReturnType().getTypeName(),
							"Return CompletableFuture, CompletionStage, Mono, Flux or another reactive type, or use "
									+ "type = SEMAPHORE.");
				}
				if (!bulkhead.key().isEmpty()) {
					throw new ResilienceConfigurationException(
							subject + " @Bulkhead(type = THREAD_POOL, key = \"" + bulkhead.key() + "\")",
							"a thread-pool bulkhead has no per-key pools",
							"Remove the key, or use type = SEMAPHORE for a limit per key.");
				}
				stages.threadPoolBulkhead(this.threadPoolBulkheads.instance(name));
			}
			else {
				if (bulkhead.key().isEmpty()) {
					stages.bulkhead(this.bulkheads.instance(name));
				}
				else {
					stages.bulkhead(this.bulkheads.instance(name), KeyExpressions.compile(bulkhead.key(), method,
							subject + " @Bulkhead(key = \"" + bulkhead.key() + "\")"));
				}
			}
		}
		if (annotations.fallback() != null) {
			stages.fallback(FallbackMethods.resolve(annotations.fallback().method(), method, target, targetClass,
					this.beanFactory, adapter::adaptFallbackResult,
					adapter.isAsynchronous() ? null : synchronousFailures(annotations)));
		}
		ChaosSites chaosSites = (this.chaos != null) ? this.chaos.getIfAvailable() : null;
		if (chaosSites != null) {
			stages.chaos(chaosSites.site(beanName + "." + method.getName(), instanceNames(annotations)));
		}
		Pipeline pipeline = stages.build();
		MethodObserver observer = null;
		ResilienceObservations observations = (this.observations != null) ? this.observations.getIfAvailable() : null;
		if (observations != null) {
			observer = new MethodObserver(observations, new ProtectedMethod(method,
					ClassUtils.getUserClass(targetClass).getSimpleName() + "." + method.getName(), pipeline));
			if (pipeline.retry() != null) {
				// Built again, now that the method's observer exists, to see its
				// attempts.
				pipeline = stages.attemptObserver(observer).build();
			}
		}
		return new ResilienceMethodInterceptor(method, pipeline, adapter.bind(pipeline, observer));
	}

	/**
	 * Returns the checked exception types that the stages of a synchronous call may
	 * throw, for the startup check of fallback parameters: a timeout's
	 * {@link TimeoutExceededException} (unchecked itself, but it counts as a
	 * {@code TimeoutException}), and the {@link InterruptedException} of a retry
	 * interrupted between attempts.
	 */
	private static List<Class<? extends Throwable>> synchronousFailures(ResilienceAnnotations annotations) {
		List<Class<? extends Throwable>> failures = new ArrayList<>(2);
		if (annotations.timeout() != null) {
			failures.add(TimeoutExceededException.class);
		}
		if (annotations.retry() != null) {
			failures.add(InterruptedException.class);
		}
		return failures;
	}

	private static void checkTimeoutCoversTheWork(Method method, ReturnAdapter adapter, String subject) {
		// A synchronous timeout bounds the method until it returns. A lazy result works
		// when it is consumed, after that, so the deadline would bound its creation only:
		// refuse it rather than promise a bound that does not hold. Asynchronous results
		// (CompletionStage, Mono, Flux and the other reactive types, which are served
		// asynchronously) are bounded until they complete.
		if (adapter.isAsynchronous()) {
			return;
		}
		Class<?> lazyType = lazyType(method.getReturnType());
		if (lazyType != null) {
			throw new ResilienceConfigurationException(subject + " @Timeout",
					"the method returns " + method.getGenericReturnType().getTypeName() + ", a lazy "
							+ lazyType.getSimpleName() + " whose elements are produced after the method returns, "
							+ "so only its creation would be under the deadline",
					"Return a collection (collect the elements inside the method), or a CompletableFuture, Mono or "
							+ "Flux; or remove @Timeout and bound the consumption where it happens.");
		}
	}

	/**
	 * Returns the lazy type a return type is, or {@code null} if it is not one: a
	 * {@link java.util.stream.BaseStream}, {@link java.util.Iterator},
	 * {@link java.util.Spliterator} or {@link java.util.Enumeration}. {@code Iterable} is
	 * not in the list: collections are iterables, and eager. (Publishers are reactive
	 * types: served asynchronously, or refused, before this check.)
	 */
	private static @Nullable Class<?> lazyType(Class<?> type) {
		for (Class<?> lazy : LAZY_TYPES) {
			if (lazy.isAssignableFrom(type)) {
				return lazy;
			}
		}
		return null;
	}

	private String checkName(String declared, String annotation, String subject) {
		// Names may be ${...} placeholders, resolved once here.
		String name = (this.beanFactory instanceof ConfigurableBeanFactory configurable)
				? configurable.resolveEmbeddedValue(declared) : declared;
		if (name == null || name.isBlank()) {
			throw new ResilienceConfigurationException(subject + " " + annotation, "the instance name is empty",
					"Name the instance, for example " + annotation + "(name = \"payments\").");
		}
		return name;
	}

	private static void checkSpringAnnotations(ResilienceAnnotations annotations, Method method, Class<?> targetClass,
			String subject) {
		// Two retry layers multiply attempts (3 x 3 = 9 calls), and two concurrency
		// limits
		// make the effective one unclear: refuse the mix rather than guess.
		if (annotations.retry() != null && hasSpringAnnotation(SPRING_RETRYABLE, method, targetClass)) {
			throw new ResilienceConfigurationException(subject,
					"both Spring's @Retryable and resilience's @Retry apply; the retries would multiply",
					"Keep one of them.");
		}
		if (annotations.bulkhead() != null && hasSpringAnnotation(SPRING_CONCURRENCY_LIMIT, method, targetClass)) {
			throw new ResilienceConfigurationException(subject,
					"both Spring's @ConcurrencyLimit and resilience's @Bulkhead apply; the limits would stack",
					"Keep one of them.");
		}
	}

	@SuppressWarnings("unchecked")
	private static boolean hasSpringAnnotation(String typeName, Method method, Class<?> targetClass) {
		@Nullable Class<? extends Annotation> type;
		try {
			type = (Class<? extends Annotation>) ClassUtils.forName(typeName,
					ResilienceMethodFactory.class.getClassLoader());
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
		return AnnotatedElementUtils.hasAnnotation(method, type)
				|| AnnotatedElementUtils.hasAnnotation(targetClass, type);
	}

	/**
	 * The names of the instances a method's annotations use, as chaos rules target them.
	 */
	private static java.util.Set<String> instanceNames(ResilienceAnnotations annotations) {
		java.util.Set<String> names = new java.util.LinkedHashSet<>();
		if (annotations.circuitBreaker() != null) {
			names.add(annotations.circuitBreaker().name());
		}
		if (annotations.retry() != null) {
			names.add(annotations.retry().name());
		}
		if (annotations.rateLimited() != null) {
			names.add(annotations.rateLimited().name());
		}
		if (annotations.timeout() != null) {
			names.add(annotations.timeout().name());
		}
		if (annotations.bulkhead() != null) {
			names.add(annotations.bulkhead().name());
		}
		return names;
	}

}
