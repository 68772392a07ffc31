package dev.resilience.boot.aop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.ReflectiveMethodInvocation;

/*
 * Design: a retried method proceeds once per attempt. When interceptors follow ours, each
 * attempt must run them again (a transaction per attempt), so it proceeds on a copy of
 * the invocation (invocableClone, 96 B), since proceeding moves the invocation's position
 * in its chain. When ours is the last interceptor, proceeding does not move anything:
 * ReflectiveMethodInvocation.proceed() at the last position invokes the target and
 * nothing else, as often as it is called and from any thread. Whether ours is the last
 * is a fact of the call, not of startup (a post-processor may add advisors after ours,
 * and an advised proxy may be changed at run time), so it is read per call from the
 * invocation's own state: its position (currentInterceptorIndex, private) against the
 * length of its chain (interceptorsAndDynamicMethodMatchers, protected), through two
 * VarHandles looked up once. Two field reads, no allocation.
 *
 * If the fields cannot be found (another Spring AOP than the one this module is built
 * with, or a module that does not open the package), isLast() is always false and every
 * attempt proceeds on a copy, as without this class: never wrong, only slower. An
 * invocation that is not a ReflectiveMethodInvocation is never taken for the last.
 */
/**
 * Tells whether the interceptor that is running is the last of its invocation's chain.
 */
final class InvocationChain {

	private static final Log logger = LogFactory.getLog(InvocationChain.class);

	private static final @Nullable VarHandle POSITION;

	private static final @Nullable VarHandle CHAIN;

	static {
		VarHandle position = null;
		VarHandle chain = null;
		try {
			MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ReflectiveMethodInvocation.class,
					MethodHandles.lookup());
			position = lookup.findVarHandle(ReflectiveMethodInvocation.class, "currentInterceptorIndex", int.class);
			chain = lookup.findVarHandle(ReflectiveMethodInvocation.class, "interceptorsAndDynamicMethodMatchers",
					List.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			position = null;
			chain = null;
			logger.debug("Retried methods proceed on a copy of the invocation per call: the position of an "
					+ "interceptor in Spring's ReflectiveMethodInvocation cannot be read", ex);
		}
		POSITION = position;
		CHAIN = chain;
	}

	private InvocationChain() {
	}

	/**
	 * Tells whether no interceptor follows the one running in {@code invocation}: then
	 * proceeding it again invokes the target again and nothing else.
	 * @param invocation the invocation the running interceptor was given
	 * @return {@code true} only if it is known that none follows
	 */
	static boolean isLast(MethodInvocation invocation) {
		VarHandle position = POSITION;
		VarHandle chain = CHAIN;
		if (position == null || chain == null || !(invocation instanceof ReflectiveMethodInvocation reflective)) {
			return false;
		}
		return (int) position.get(reflective) == ((List<?>) chain.get(reflective)).size() - 1;
	}

	/**
	 * Tells whether the fields could be read, for tests.
	 */
	static boolean isReadable() {
		return POSITION != null && CHAIN != null;
	}

	/**
	 * Proceeds the invocation for one more attempt: on itself when no interceptor
	 * follows, otherwise on a copy, so that the interceptors after the running one run
	 * again.
	 * @param invocation the invocation
	 * @return the result
	 * @throws Throwable what the invocation throws
	 */
	static @Nullable Object proceedAgain(MethodInvocation invocation) throws Throwable {
		if (invocation instanceof ProxyMethodInvocation proxy && !isLast(invocation)) {
			return proxy.invocableClone().proceed();
		}
		return invocation.proceed();
	}

}
