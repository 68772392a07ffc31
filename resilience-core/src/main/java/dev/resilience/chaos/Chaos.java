package dev.resilience.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;

import dev.resilience.core.EventPublisher;
import dev.resilience.core.Scheduler;
import org.jspecify.annotations.Nullable;

/*
 * Design. What a call reads is one volatile field: the snapshot of the site's ENABLED
 * rules, an immutable array of Injections (rule + the configuration the snapshot was
 * taken from). An empty snapshot is the cost of a site with no rule or only disabled
 * ones: one volatile read, no draw, no allocation. The snapshot is recomputed, under the
 * site's lock, when the site's rules are replaced (rules(List)) and when one of its rules
 * is reconfigured (ChaosRule tells the sites that hold it; see ChaosRule's design), each
 * time from the rules' current configurations, so the last snapshot reflects the last
 * change whatever the interleaving. A call decides against the snapshot it read: a change
 * applies to the calls that start after it.
 *
 * Injections are pre-allocated in the snapshot, so a call that is affected allocates only
 * what the fault itself needs (the exception, the scheduled wait, the event if anyone
 * listens).
 */
/**
 * The chaos of one protected call site (one {@link dev.resilience.pipeline.Pipeline}):
 * the rules that apply to it, the random source their rates draw from, and the scheduler
 * a latency waits on.
 * <p>
 * <b>Decision.</b> Per call, the enabled rules are tried in the order of
 * {@link #rules(List)}: each draws one number from the site's {@link ChaosRandom} and the
 * first whose draw is below its rate affects the call; the others draw nothing more. A
 * site with no enabled rule draws nothing. An affected call counts one injection for the
 * rule ({@link ChaosRule#injections()}) and publishes a {@link ChaosEvent} if anyone
 * listens; a latency between a minimum and a maximum draws one number more.
 * <p>
 * <b>Injected exceptions.</b> An exception fault throws the type the rule configures,
 * marked with a suppressed {@link ChaosInjectedException}; for a type that does not
 * record suppressed exceptions (its {@code enableSuppression} is false) the mark is an
 * entry in a weak registry (which does not keep the exception alive) instead.
 * {@link #isInjected(Throwable)} tells both.
 * <p>
 * Thread-safe: rules may be replaced, and reconfigured, while calls run.
 */
public final class Chaos {

	private static final Injection[] NONE = new Injection[0];

	// The exceptions whose type refuses suppressed exceptions; weak keys, so an injected
	// exception is not kept alive by its mark. Rare, so a synchronized map will do.
	private static final Map<Throwable, Boolean> UNSUPPRESSABLE = Collections.synchronizedMap(new WeakHashMap<>());

	// Causes are followed this deep at most, in case of a cycle.
	private static final int MAX_CAUSES = 32;

	private final String name;

	private final Scheduler scheduler;

	private final ChaosRandom random;

	private final EventPublisher<ChaosEvent> events = new EventPublisher<>();

	private List<ChaosRule> rules = List.of();

	private volatile Injection[] enabled = NONE;

	private Chaos(String name, Scheduler scheduler, ChaosRandom random) {
		this.name = name;
		this.scheduler = scheduler;
		this.random = random;
	}

	/**
	 * Creates the chaos of a call site, with no rule.
	 * @param name the site's name (the instance name of its events), such as the name of
	 * the pipeline's instances or {@code beanName.method}
	 * @param scheduler where latencies wait: a synchronous call sleeps on it, an
	 * asynchronous one is started by a task scheduled on it
	 * @param random what the rates (and latency ranges) draw from
	 * @return the site's chaos
	 */
	public static Chaos of(String name, Scheduler scheduler, ChaosRandom random) {
		return new Chaos(Objects.requireNonNull(name, "name must not be null"),
				Objects.requireNonNull(scheduler, "scheduler must not be null"),
				Objects.requireNonNull(random, "random must not be null"));
	}

	/**
	 * Replaces the rules that apply to this site, atomically: a call uses either the old
	 * rules or the new ones. Their order is the order in which they are tried.
	 * @param rules the rules, each at most once; empty for none
	 * @throws IllegalArgumentException if a rule is given twice
	 */
	public synchronized void rules(List<ChaosRule> rules) {
		List<ChaosRule> next = List.copyOf(rules);
		Set<ChaosRule> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
		for (ChaosRule rule : next) {
			if (!distinct.add(rule)) {
				throw new IllegalArgumentException("rules names rule '" + rule.name() + "' twice: " + next);
			}
		}
		for (ChaosRule old : this.rules) {
			if (!distinct.contains(old)) {
				old.detach(this);
			}
		}
		for (ChaosRule rule : next) {
			rule.attach(this);
		}
		this.rules = next;
		refresh();
	}

	/**
	 * Returns the rules that apply to this site, in the order they are tried.
	 * @return the rules; unmodifiable
	 */
	public synchronized List<ChaosRule> rules() {
		return this.rules;
	}

	/**
	 * Returns the site's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns where latencies wait.
	 * @return the scheduler
	 */
	public Scheduler scheduler() {
		return this.scheduler;
	}

	/**
	 * Returns what the rates draw from.
	 * @return the random source
	 */
	public ChaosRandom random() {
		return this.random;
	}

	/**
	 * Returns the publisher of this site's injections.
	 * @return the event publisher
	 */
	public EventPublisher<ChaosEvent> events() {
		return this.events;
	}

	/**
	 * Recomputes the snapshot of enabled rules from the rules' current configurations.
	 */
	synchronized void refresh() {
		List<Injection> enabled = new ArrayList<>();
		for (ChaosRule rule : this.rules) {
			ChaosRuleConfig config = rule.config();
			if (config.enabled()) {
				enabled.add(new Injection(this, rule, config));
			}
		}
		this.enabled = enabled.isEmpty() ? NONE : enabled.toArray(NONE);
	}

	/**
	 * Decides one call: whether one of the enabled rules affects it (see the class
	 * comment), and if so counts the injection and publishes its event. For the pipeline
	 * and the integrations that apply a pipeline another way; an application has no
	 * reason to call it.
	 * @return what to do to the call, or {@code null} to make it as it is
	 */
	public @Nullable Injection decide() {
		Injection[] enabled = this.enabled;
		if (enabled.length == 0) {
			return null;
		}
		ChaosRandom random = this.random;
		for (Injection injection : enabled) {
			if (random.nextDouble() < injection.config.rate()) {
				injection.rule.injected();
				if (this.events.hasListeners()) {
					this.events.publish(new ChaosEvent(this.name, ChaosEvent.Type.CHAOS_INJECTED, injection.rule.name(),
							injection.config.fault()));
				}
				return injection;
			}
		}
		return null;
	}

	/**
	 * Tells whether a failure was thrown by a chaos fault: it, or one of its causes, is
	 * an exception an {@link ChaosFault#EXCEPTION} fault threw (or a
	 * {@link ChaosInjectedException}).
	 * @param failure the failure, or {@code null}
	 * @return {@code true} if chaos injected it
	 */
	public static boolean isInjected(@Nullable Throwable failure) {
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_CAUSES; depth++) {
			if (current instanceof ChaosInjectedException || hasMark(current)
					|| (!UNSUPPRESSABLE.isEmpty() && UNSUPPRESSABLE.containsKey(current))) {
				return true;
			}
			current = current.getCause();
		}
		return false;
	}

	private static boolean hasMark(Throwable failure) {
		for (Throwable suppressed : failure.getSuppressed()) {
			if (suppressed instanceof ChaosInjectedException) {
				return true;
			}
		}
		return false;
	}

	static Throwable mark(Throwable failure, String rule) {
		if (failure instanceof ChaosInjectedException || hasMark(failure)) {
			return failure;
		}
		failure.addSuppressed(new ChaosInjectedException(rule));
		if (!hasMark(failure)) {
			// Its type disables suppression: addSuppressed did nothing.
			UNSUPPRESSABLE.put(failure, Boolean.TRUE);
		}
		return failure;
	}

	@Override
	public String toString() {
		return "Chaos[" + this.name + ", rules=" + rules() + "]";
	}

	/**
	 * What one rule does to a call it affects, as {@link #decide()} returns it: the rule,
	 * the configuration it was decided under, and the fault's ingredients. Immutable;
	 * made when the site's rules change, never per call.
	 */
	public static final class Injection {

		private final Chaos site;

		private final ChaosRule rule;

		private final ChaosRuleConfig config;

		Injection(Chaos site, ChaosRule rule, ChaosRuleConfig config) {
			this.site = site;
			this.rule = rule;
			this.config = config;
		}

		/**
		 * Returns the rule that affects the call.
		 * @return the rule
		 */
		public ChaosRule rule() {
			return this.rule;
		}

		/**
		 * Returns the rule's configuration the call was decided under.
		 * @return the configuration
		 */
		public ChaosRuleConfig config() {
			return this.config;
		}

		/**
		 * Returns what the rule does to the call.
		 * @return the fault
		 */
		public ChaosFault fault() {
			return this.config.fault();
		}

		/**
		 * Returns the wait of a latency fault: the fixed latency, or one drawn uniformly
		 * from the site's random source between the minimum (included) and the maximum.
		 * @return the wait in nanoseconds; 0 for the other faults
		 */
		public long latencyNanos() {
			long min = this.config.latencyMinNanos();
			long span = this.config.latencySpanNanos();
			return (span <= 0) ? min : min + (long) (span * this.site.random.nextDouble());
		}

		/**
		 * Makes the exception of an exception fault: a fresh one from the rule's
		 * supplier, marked as injected (see {@link Chaos#isInjected(Throwable)}).
		 * @return the exception to throw
		 * @throws IllegalStateException if the fault is not an exception, or the supplier
		 * returned {@code null}
		 */
		public Throwable exception() {
			var supplier = this.config.exception();
			if (supplier == null) {
				throw new IllegalStateException("chaos: rule '" + this.rule.name() + "' is a "
						+ this.config.fault().value() + " fault, not an exception");
			}
			Throwable failure = supplier.get();
			if (failure == null) {
				throw new IllegalStateException(
						"chaos: the exception supplier of rule '" + this.rule.name() + "' returned null");
			}
			return mark(failure, this.rule.name());
		}

		/**
		 * Makes the value of a result fault, from the rule's supplier.
		 * @return the value, possibly {@code null}
		 * @throws IllegalStateException if the fault is not a result
		 */
		public @Nullable Object result() {
			var supplier = this.config.result();
			if (supplier == null) {
				throw new IllegalStateException("chaos: rule '" + this.rule.name() + "' is a "
						+ this.config.fault().value() + " fault, not a result");
			}
			return supplier.get();
		}

		@Override
		public String toString() {
			return "Injection[" + this.rule.name() + ", " + this.config + "]";
		}

	}

}
