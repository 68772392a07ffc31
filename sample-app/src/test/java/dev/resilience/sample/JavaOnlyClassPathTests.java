package dev.resilience.sample;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample is a Java application, and the starter brings it no Kotlin: the Kotlin
 * standard library and kotlinx-coroutines, which serve {@code suspend} functions, are
 * optional dependencies of the auto-configuration, and resilience-kotlin is a module of
 * its own. The sample's other tests start it without them.
 */
class JavaOnlyClassPathTests {

	@ParameterizedTest
	@ValueSource(strings = { "kotlin.Unit", "kotlin.coroutines.Continuation", "kotlinx.coroutines.Job",
			"kotlinx.coroutines.reactor.MonoKt", "dev.resilience.kotlin.ResilientCoroutines" })
	void theStarterBringsNoKotlin(String className) {
		assertThat(ClassUtils.isPresent(className, getClass().getClassLoader())).as(className).isFalse();
	}

}
