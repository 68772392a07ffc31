package dev.resilience.boot.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.chaos.Chaos;
import dev.resilience.chaos.ChaosRandom;
import dev.resilience.chaos.ChaosRule;
import dev.resilience.core.Scheduler;
import org.jspecify.annotations.Nullable;

/*
 * Concurrent design. Rules change rarely (at startup and through the endpoint) and are
 * read on every call, so every change is made under one lock and ends by handing each
 * site the rules that target it now, as a fresh immutable list (Chaos.rules replaces its
 * list atomically): a call sees the rules of before or after a change, never a mix. The
 * kill switch is part of the same state: while it is off every site gets no rule. Sites
 * are added while the application starts (one per protected method) and never removed.
 */
/**
 * The chaos experiments of the application: the rules by name, which protected methods
 * each targets, and the kill switch. Exists only while {@code resilience.chaos.enabled}
 * allows chaos; the {@code chaos} endpoint changes it at run time.
 * <p>
 * Thread-safe.
 */
public final class ChaosExperiments implements ChaosSites {

	private final Scheduler scheduler;

	private final ChaosRandom random;

	private final ChaosRuleSpecs specs;

	private final Object lock = new Object();

	// By name, in the order they were created; guarded by lock.
	private final Map<String, Targeted> rules = new LinkedHashMap<>();

	private final List<Site> sites = new CopyOnWriteArrayList<>();

	private final List<BiConsumer<ChaosRule, Boolean>> ruleListeners = new CopyOnWriteArrayList<>();

	private final List<java.util.function.Consumer<Chaos>> siteListeners = new CopyOnWriteArrayList<>();

	// Guarded by lock.
	private boolean active = true;

	/**
	 * Creates the experiments.
	 * @param scheduler where latency faults wait
	 * @param random the source of the rate decisions
	 * @param specs checks what a rule says
	 */
	ChaosExperiments(Scheduler scheduler, ChaosRandom random, ChaosRuleSpecs specs) {
		this.scheduler = Objects.requireNonNull(scheduler, "scheduler must not be null");
		this.random = Objects.requireNonNull(random, "random must not be null");
		this.specs = specs;
	}

	@Override
	public Chaos site(String beanMethod, Set<String> instanceNames) {
		Site site = new Site(Chaos.of(beanMethod, this.scheduler, this.random), beanMethod, Set.copyOf(instanceNames));
		synchronized (this.lock) {
			this.sites.add(site);
			site.chaos.rules(matching(site));
			this.siteListeners.forEach((listener) -> listener.accept(site.chaos));
		}
		return site.chaos;
	}

	/**
	 * Creates a rule, or replaces what the rule of that name says (its injections keep
	 * counting).
	 * @param name the rule's name
	 * @param settings what it says, checked
	 * @return the rule and its target
	 * @throws InvalidChaosRuleException naming the first field that is wrong (nothing
	 * changes then)
	 */
	public Targeted put(String name, ResilienceProperties.ChaosRuleSettings settings) {
		ChaosRuleSpecs.Checked checked = this.specs.check(name, settings);
		synchronized (this.lock) {
			Targeted existing = this.rules.get(name);
			ChaosRule rule;
			if (existing != null) {
				rule = existing.rule;
				rule.reconfigure(checked.config());
			}
			else {
				rule = ChaosRule.of(name, checked.config());
			}
			Targeted targeted = new Targeted(rule, checked.target(), settings);
			this.rules.put(name, targeted);
			refresh();
			if (existing == null) {
				this.ruleListeners.forEach((listener) -> listener.accept(rule, true));
			}
			return targeted;
		}
	}

	/**
	 * Returns a rule.
	 * @param name the rule's name
	 * @return the rule and its target, or {@code null} if there is none of that name
	 */
	public @Nullable Targeted get(String name) {
		synchronized (this.lock) {
			return this.rules.get(name);
		}
	}

	/**
	 * Removes a rule.
	 * @param name the rule's name
	 * @return whether there was one
	 */
	public boolean remove(String name) {
		synchronized (this.lock) {
			Targeted removed = this.rules.remove(name);
			if (removed == null) {
				return false;
			}
			refresh();
			this.ruleListeners.forEach((listener) -> listener.accept(removed.rule, false));
			return true;
		}
	}

	/**
	 * Turns every rule off at once (the kill switch), or back on.
	 * @param active {@code false} to stop every injection
	 */
	public void active(boolean active) {
		synchronized (this.lock) {
			this.active = active;
			refresh();
		}
	}

	/**
	 * Tells whether rules inject (the kill switch is not thrown).
	 * @return {@code true} unless every rule was turned off at once
	 */
	public boolean isActive() {
		synchronized (this.lock) {
			return this.active;
		}
	}

	/**
	 * Returns the rules and their targets, in the order they were created.
	 * @return a snapshot
	 */
	public Map<String, Targeted> rules() {
		synchronized (this.lock) {
			return Collections.unmodifiableMap(new LinkedHashMap<>(this.rules));
		}
	}

	/**
	 * Tells a listener of every rule created ({@code true}) and removed ({@code false}),
	 * for the meters.
	 * @param listener the listener
	 */
	public void onRules(BiConsumer<ChaosRule, Boolean> listener) {
		synchronized (this.lock) {
			this.ruleListeners.add(listener);
			this.rules.values().forEach((targeted) -> listener.accept(targeted.rule, true));
		}
	}

	/**
	 * Tells a listener of every chaos site, those there now and those made later (one per
	 * protected method), for their events.
	 * @param listener the listener
	 */
	public void onSites(java.util.function.Consumer<Chaos> listener) {
		synchronized (this.lock) {
			this.siteListeners.add(listener);
			this.sites.forEach((site) -> listener.accept(site.chaos));
		}
	}

	private void refresh() {
		for (Site site : this.sites) {
			site.chaos.rules(matching(site));
		}
	}

	// Under lock.
	private List<ChaosRule> matching(Site site) {
		if (!this.active) {
			return List.of();
		}
		List<ChaosRule> matching = new ArrayList<>();
		for (Targeted targeted : this.rules.values()) {
			if (site.beanMethod.equals(targeted.target) || site.instanceNames.contains(targeted.target)) {
				matching.add(targeted.rule);
			}
		}
		return List.copyOf(matching);
	}

	/**
	 * A rule and what it targets.
	 *
	 * @param rule the rule
	 * @param target an instance name or {@code beanName.method}
	 * @param settings what the rule says, as given
	 */
	public record Targeted(ChaosRule rule, String target, ResilienceProperties.ChaosRuleSettings settings) {
	}

	private record Site(Chaos chaos, String beanMethod, Set<String> instanceNames) {
	}

	@Override
	public String toString() {
		return "ChaosExperiments" + rules().keySet();
	}

}
