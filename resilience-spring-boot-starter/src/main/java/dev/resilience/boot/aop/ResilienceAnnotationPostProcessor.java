package dev.resilience.boot.aop;

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
 * interface proxies. An annotated method a proxy cannot intercept (private, final,
 * static) is reported at startup with a warning, since the annotation would otherwise do
 * nothing.
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
			ResilienceMethodInterceptor interceptor = methodFactory.create(annotations, target, targetClass);
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
		List<ResilienceAnnotations> result = new ArrayList<>();
		Set<Method> methods = new LinkedHashSet<>();
		if (interfaceBased) {
			for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(bean.getClass())) {
				methods.addAll(List.of(type.getMethods()));
			}
		}
		else {
			methods.addAll(List.of(ReflectionUtils.getUniqueDeclaredMethods(targetClass,
					(method) -> method.getDeclaringClass() != Object.class && !method.isBridge()
							&& !method.isSynthetic())));
		}
		for (Method method : methods) {
			if (interfaceBased && (method.isDefault() || Modifier.isStatic(method.getModifiers()))) {
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
				if (annotations.onMethod()) {
					logger.warn("Resilience annotations on " + FallbackMethods.describe(method)
							+ " have no effect: a proxy cannot intercept a private, final or static method. "
							+ "Make it a public (or protected) instance method that is not final.");
				}
				continue;
			}
			result.add(annotations);
		}
		return result;
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
