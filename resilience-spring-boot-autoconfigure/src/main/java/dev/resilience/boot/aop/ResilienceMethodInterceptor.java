package dev.resilience.boot.aop;

import java.lang.reflect.Method;

import dev.resilience.pipeline.Pipeline;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

/**
 * Applies one annotated method's compiled pipeline. There is one instance per annotated
 * method, made at startup with everything resolved (instances, order, fallback,
 * return-type adapter), so a call does no lookup, reflection or allocation of its own: it
 * hands the invocation to the pipeline.
 */
final class ResilienceMethodInterceptor implements MethodInterceptor {

	private final Method method;

	private final Pipeline pipeline;

	private final ReturnAdapter adapter;

	ResilienceMethodInterceptor(Method method, Pipeline pipeline, ReturnAdapter adapter) {
		this.method = method;
		this.pipeline = pipeline;
		this.adapter = adapter;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		return this.adapter.invoke(this.pipeline, invocation);
	}

	@Override
	public String toString() {
		return "ResilienceMethodInterceptor[" + Signatures.describe(this.method) + " " + this.pipeline.stages() + "]";
	}

}
