package dev.resilience.chaos;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.LongAdder;

/*
 * Design. The configuration is one volatile field; the injections a LongAdder (sites on
 * many threads count without contention). A rule knows the sites that hold it (a
 * copy-on-write set, changed only when a site's rules are replaced): reconfigure writes
 * the configuration first, then tells every site, which recomputes its snapshot of
 * enabled rules under its own lock reading the configuration again, so the last snapshot
 * of every site reflects the last configuration (a site that gains the rule concurrently
 * reads the new configuration itself).
 */
/**
 * A named chaos rule at run time: its configuration (which may be replaced while calls
 * run) and how many calls it affected, across every site it applies to. The same rule may
 * be given to any number of {@link Chaos} sites.
 * <p>
 * Thread-safe.
 */
public final class ChaosRule {

	private final String name;

	private volatile ChaosRuleConfig config;

	private final LongAdder injections = new LongAdder();

	private final CopyOnWriteArraySet<Chaos> sites = new CopyOnWriteArraySet<>();

	private ChaosRule(String name, ChaosRuleConfig config) {
		this.name = name;
		this.config = config;
	}

	/**
	 * Creates a rule.
	 * @param name the rule's name, not empty (in events, meter tags and the injected
	 * exception's message)
	 * @param config its configuration
	 * @return the rule
	 */
	public static ChaosRule of(String name, ChaosRuleConfig config) {
		Objects.requireNonNull(name, "name must not be null");
		if (name.isEmpty()) {
			throw new IllegalArgumentException("name must not be empty");
		}
		return new ChaosRule(name, Objects.requireNonNull(config, "config must not be null"));
	}

	/**
	 * Returns the rule's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Returns the current configuration.
	 * @return the configuration
	 */
	public ChaosRuleConfig config() {
		return this.config;
	}

	/**
	 * Replaces the configuration; the calls that start afterwards, at every site, follow
	 * the new one (a call already decided goes on as decided).
	 * @param config the new configuration
	 */
	public void reconfigure(ChaosRuleConfig config) {
		this.config = Objects.requireNonNull(config, "config must not be null");
		for (Chaos site : this.sites) {
			site.refresh();
		}
	}

	/**
	 * Returns how many calls the rule affected so far, at every site: one per injection,
	 * whatever the fault and however the call ended.
	 * @return the count
	 */
	public long injections() {
		return this.injections.sum();
	}

	void injected() {
		this.injections.increment();
	}

	void attach(Chaos site) {
		this.sites.add(site);
	}

	void detach(Chaos site) {
		this.sites.remove(site);
	}

	@Override
	public String toString() {
		return "ChaosRule[" + this.name + ", " + this.config + "]";
	}

}
