package dev.resilience.boot.aop;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import dev.resilience.boot.autoconfigure.ResilienceConfigurationException;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.ProxyProcessorSupport;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Applies the resilience annotations: after a bean is initialized, finds its annotated
 * methods and gives each one its own advisor and {@link ResilienceMethodInterceptor},
 * added in front of an existing proxy's advisors (so a retry wraps a transaction: one per
 * attempt) or on a new proxy. No AspectJ weaver and no {@code @Enable...} annotation are
 * needed.
 * <p>
 * Class proxies are made (as Spring Boot does by default), except for beans that are
 * already JDK proxies (such as {@code @HttpExchange} clients) or final classes, which get
 * interface proxies. A bean that another advisor already made a JDK proxy of keeps that
 * proxy: the annotations of its target class's implementations of the interface methods
 * apply, and an annotated method no interface declares fails startup. An annotated method
 * a proxy cannot intercept (private, final, static) is reported at startup with a
 * warning, since the annotation would otherwise do nothing. {@code Object}'s methods
 * ({@code toString}, {@code equals}, {@code hashCode}...) are never protected:
 * class-level annotations apply to the other public methods, and an annotation on one of
 * them fails startup.
 */
public class ResilienceAnnotationPostProcessor extends ProxyProcessorSupport implements BeanPostProcessor {

	private static final Log logger = LogFactory.getLog(ResilienceAnnotationPostProcessor.class);

	private final ObjectProvider<ResilienceMethodFactory> factory;

	/**
	 * Creates the post-processor.
	 * @param factory compiles annotated methods; looked up when the first annotated bean
	 * appears, so that this post-processor does not pull the registries in early
	 */
	public ResilienceAnnotationPostProcessor(ObjectProvider<ResilienceMethodFactory> factory) {
		this.factory = factory;
		setProxyTargetClass(true);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AopInfrastructureBean || bean instanceof ResilienceMethodFactory) {
			return bean;
		}
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		boolean interfaceBased = Proxy.isProxyClass(targetClass) || Proxy.isProxyClass(bean.getClass());
		List<ResilienceAnnotations> annotated = findAnnotated(bean, targetClass, interfaceBased);
		if (annotated.isEmpty()) {
			return bean;
		}
		Object target = target(bean);
		ResilienceMethodFactory methodFactory = this.factory.getObject();
		List<Advisor> advisors = new ArrayList<>(annotated.size());
		for (ResilienceAnnotations annotations : annotated) {
			ResilienceMethodInterceptor interceptor = methodFactory.create(annotations, target, targetClass, beanName);
			advisors.add(new DefaultPointcutAdvisor(new MethodPointcut(annotations.method()), interceptor));
		}
		if (bean instanceof Advised advised && !advised.isFrozen()) {
			// In front of existing advisors, in reverse so that they keep their own
			// order.
			for (int i = advisors.size() - 1; i >= 0; i--) {
				advised.addAdvisor(0, advisors.get(i));
			}
			return bean;
		}
		ProxyFactory proxyFactory = new ProxyFactory();
		proxyFactory.copyFrom(this);
		proxyFactory.setTarget(bean);
		if (interfaceBased || Modifier.isFinal(targetClass.getModifiers())) {
			proxyFactory.setProxyTargetClass(false);
			proxyFactory.setInterfaces(ClassUtils.getAllInterfacesForClass(bean.getClass(), getProxyClassLoader()));
		}
		advisors.forEach(proxyFactory::addAdvisor);
		return proxyFactory.getProxy(getProxyClassLoader());
	}

	private static Object target(Object bean) {
		if (bean instanceof Advised advised && advised.getTargetSource().isStatic()) {
			try {
				Object target = advised.getTargetSource().getTarget();
				if (target != null) {
					return target;
				}
			}
			catch (Exception ex) {
				// fall back to the bean itself
			}
		}
		return bean;
	}

	private static List<ResilienceAnnotations> findAnnotated(Object bean, Class<?> targetClass,
			boolean interfaceBased) {
		if (interfaceBased && !Proxy.isProxyClass(targetClass)) {
			return findOnJdkProxiedTarget(bean, targetClass);
		}
		List<ResilienceAnnotations> result = new ArrayList<>();
		Set<Method> methods = new LinkedHashSet<>();
		if (interfaceBased) {
			for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(bean.getClass())) {
				methods.addAll(List.of(type.getMethods()));
			}
		}
		else {
			methods.addAll(declaredMethods(targetClass));
		}
		for (Method method : methods) {
			if (interfaceBased && (method.isDefault() || Modifier.isStatic(method.getModifiers()))) {
				continue;
			}
			if (isObjectMethod(method)) {
				refuseAnnotations(method);
				continue;
			}
			ResilienceAnnotations annotations = ResilienceAnnotations.find(method,
					interfaceBased ? method.getDeclaringClass() : targetClass);
			if (annotations == null) {
				continue;
			}
			int modifiers = method.getModifiers();
			if (!interfaceBased
					&& (Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers) || Modifier.isStatic(modifiers))) {
				warnUnreachable(annotations);
				continue;
			}
			result.add(annotations);
		}
		return result;
	}

	/**
	 * A bean that another advisor made a JDK proxy of (a transaction with
	 * {@code proxyTargetClass = false}, say), whose target class is known: the proxy
	 * exposes the methods of the interfaces the target implements, and each one's
	 * annotations are found on the target class's implementation of it (and, as usual, on
	 * what that overrides and on the class). An annotated method of the target that no
	 * interface declares cannot be reached through the proxy: startup fails.
	 */
	private static List<ResilienceAnnotations> findOnJdkProxiedTarget(Object bean, Class<?> targetClass) {
		Set<Method> exposed = new LinkedHashSet<>();
		for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(bean.getClass())) {
			// Not the proxy's own interfaces (Advised, SpringProxy...).
			if (!type.isAssignableFrom(targetClass)) {
				continue;
			}
			for (Method method : type.getMethods()) {
				if (!Modifier.isStatic(method.getModifiers())) {
					exposed.add(AopUtils.getMostSpecificMethod(method, targetClass));
				}
			}
		}
		List<ResilienceAnnotations> result = new ArrayList<>();
		for (Method method : exposed) {
			if (isObjectMethod(method)) {
				refuseAnnotations(method);
				continue;
			}
			ResilienceAnnotations annotations = ResilienceAnnotations.find(method, targetClass);
			if (annotations != null) {
				result.add(annotations);
			}
		}
		for (Method method : declaredMethods(targetClass)) {
			if (isObjectMethod(method)) {
				refuseAnnotations(method);
				continue;
			}
			if (exposed.contains(method)) {
				continue;
			}
			ResilienceAnnotations annotations = ResilienceAnnotations.find(method, targetClass);
			if (annotations == null || !annotations.onMethod()) {
				continue;
			}
			int modifiers = method.getModifiers();
			if (Modifier.isPrivate(modifiers) || Modifier.isFinal(modifiers) || Modifier.isStatic(modifiers)) {
				warnUnreachable(annotations);
				continue;
			}
			throw new ResilienceConfigurationException(Signatures.describe(method),
					"the bean is a JDK proxy of its interfaces (" + String.join(", ",
							ClassUtils.getAllInterfacesForClassAsSet(targetClass).stream().map(Class::getName).toList())
							+ "), made by another advisor, and no interface declares this method, so a call "
							+ "cannot reach its resilience annotations",
					"Declare the method on an interface the bean implements, or let the proxies be class "
							+ "proxies: spring.aop.proxy-target-class=true (Spring Boot's default), "
							+ "@EnableTransactionManagement(proxyTargetClass = true).");
		}
		return result;
	}

	/**
	 * The methods of a class that can carry annotations: declared in it or inherited,
	 * without {@code Object}'s own, bridges and synthetic methods.
	 */
	private static List<Method> declaredMethods(Class<?> targetClass) {
		return List.of(ReflectionUtils.getUniqueDeclaredMethods(targetClass,
				(method) -> method.getDeclaringClass() != Object.class && !method.isBridge() && !method.isSynthetic()));
	}

	/**
	 * Tells whether {@code method} is (an override of) one of {@code Object}'s methods:
	 * {@code toString}, {@code equals}, {@code hashCode}, {@code clone},
	 * {@code finalize}. They are never protected: a class-level annotation leaves them
	 * alone, and one on the method itself fails startup ({@link #refuseAnnotations}).
	 */
	private static boolean isObjectMethod(Method method) {
		return ReflectionUtils.findMethod(Object.class, method.getName(), method.getParameterTypes()) != null;
	}

	/**
	 * Fails startup if one of {@code Object}'s methods carries an annotation itself.
	 */
	private static void refuseAnnotations(Method objectMethod) {
		for (Class<? extends Annotation> type : ResilienceAnnotations.TYPES) {
			if (AnnotatedElementUtils.hasAnnotation(objectMethod, type)) {
				throw new ResilienceConfigurationException(
						Signatures.describe(objectMethod) + " @" + type.getSimpleName(),
						"Object's methods (toString, equals, hashCode, clone, finalize) are never protected: "
								+ "they are called by logging, collections and frameworks, not as calls to a "
								+ "dependency",
						"Remove the annotation, and protect the business method that calls the dependency.");
			}
		}
	}

	private static void warnUnreachable(ResilienceAnnotations annotations) {
		if (annotations.onMethod()) {
			logger.warn("Resilience annotations on " + Signatures.describe(annotations.method())
					+ " have no effect: a proxy cannot intercept a private, final or static method. "
					+ "Make it a public (or protected) instance method that is not final.");
		}
	}

	/**
	 * Matches one method, as declared on the target class or on any type it overrides.
	 */
	private static final class MethodPointcut extends StaticMethodMatcherPointcut {

		private final Method method;

		MethodPointcut(Method method) {
			this.method = method;
		}

		@Override
		public boolean matches(Method candidate, @Nullable Class<?> targetClass) {
			if (candidate.equals(this.method)) {
				return true;
			}
			if (!candidate.getName().equals(this.method.getName())
					|| candidate.getParameterCount() != this.method.getParameterCount()) {
				return false;
			}
			// The proxy may present the interface's declaration of the method (or a
			// generic
			// one): resolve it on the target class and compare signatures (the names and
			// parameter counts are equal already).
			Method specific = AopUtils.getMostSpecificMethod(candidate,
					(targetClass != null) ? targetClass : this.method.getDeclaringClass());
			return Arrays.equals(specific.getParameterTypes(), this.method.getParameterTypes());
		}

	}

}
