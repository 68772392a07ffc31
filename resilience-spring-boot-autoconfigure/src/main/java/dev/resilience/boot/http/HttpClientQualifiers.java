package dev.resilience.boot.http;

import java.util.LinkedHashSet;
import java.util.Set;

import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.util.ClassUtils;
import org.springframework.web.client.RestClient;

/**
 * Applies a policy set to the client beans ({@code RestClient.Builder},
 * {@code RestClient}) whose bean name or {@link Qualifier @Qualifier} the set lists in
 * {@code qualifiers}.
 */
final class HttpClientQualifiers implements BeanPostProcessor {

	private static final boolean REACTIVE_PRESENT = ClassUtils.isPresent(
			"org.springframework.web.reactive.function.client.WebClient", HttpClientQualifiers.class.getClassLoader())
			&& ClassUtils.isPresent("dev.resilience.reactor.ResilienceOperator",
					HttpClientQualifiers.class.getClassLoader());

	private final ObjectProvider<ResilienceHttp> http;

	private final ConfigurableListableBeanFactory beanFactory;

	HttpClientQualifiers(ObjectProvider<ResilienceHttp> http, ConfigurableListableBeanFactory beanFactory) {
		this.http = http;
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
		boolean restClient = bean instanceof RestClient.Builder || bean instanceof RestClient;
		boolean webClient = !restClient && REACTIVE_PRESENT && ReactiveHttpPolicy.isWebClient(bean);
		if (!restClient && !webClient) {
			return bean;
		}
		ResilienceHttp http = this.http.getIfAvailable();
		if (http == null) {
			return bean;
		}
		HttpPolicySet set = http.forQualifiers(qualifiers(beanName));
		if (set == null) {
			return bean;
		}
		if (bean instanceof RestClient.Builder builder) {
			return http.restClient(builder, set.name());
		}
		if (bean instanceof RestClient client) {
			return http.restClient(client.mutate(), set.name()).build();
		}
		return ReactiveHttpPolicy.apply(bean, set);
	}

	private Set<String> qualifiers(String beanName) {
		Set<String> qualifiers = new LinkedHashSet<>();
		qualifiers.add(beanName);
		if (!this.beanFactory.containsBeanDefinition(beanName)) {
			return qualifiers;
		}
		Qualifier qualifier = this.beanFactory.findAnnotationOnBean(beanName, Qualifier.class);
		if (qualifier != null && !qualifier.value().isEmpty()) {
			qualifiers.add(qualifier.value());
		}
		BeanDefinition definition = this.beanFactory.getMergedBeanDefinition(beanName);
		if (definition instanceof AbstractBeanDefinition abstractDefinition) {
			for (AutowireCandidateQualifier candidate : abstractDefinition.getQualifiers()) {
				Object value = candidate.getAttribute(AutowireCandidateQualifier.VALUE_KEY);
				if (value instanceof String name) {
					qualifiers.add(name);
				}
			}
		}
		return qualifiers;
	}

}
