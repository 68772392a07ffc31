package dev.resilience.boot.aop;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the protected methods do, call by call: a queue of planned outcomes (a value, or
 * an exception to throw) and a count of calls that really reached the method body.
 */
class Script {

	private final Deque<Object> planned = new ArrayDeque<>();

	private final AtomicInteger calls = new AtomicInteger();

	private volatile Runnable during = () -> {
	};

	Script then(Object outcome) {
		this.planned.add(outcome);
		return this;
	}

	Script during(Runnable action) {
		this.during = action;
		return this;
	}

	/**
	 * Runs one call: counts it, runs the side action, then returns the next planned value
	 * or throws the next planned exception ("ok" when nothing is planned).
	 */
	String next() {
		this.calls.incrementAndGet();
		this.during.run();
		Object outcome = this.planned.poll();
		if (outcome instanceof RuntimeException ex) {
			throw ex;
		}
		return (outcome != null) ? (String) outcome : "ok";
	}

	int calls() {
		return this.calls.get();
	}

}
