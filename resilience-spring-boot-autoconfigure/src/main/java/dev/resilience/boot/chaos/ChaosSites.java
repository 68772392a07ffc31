package dev.resilience.boot.chaos;

import java.util.Set;

import dev.resilience.chaos.Chaos;

/**
 * Gives each protected method its chaos site when it is compiled at startup: the
 * {@link Chaos} its pipeline holds innermost, whose rules follow the rules that target
 * the method (by one of its instances' names, or by {@code beanName.method}) as they are
 * created, changed and removed at run time.
 */
public interface ChaosSites {

	/**
	 * Returns the chaos site of a protected method.
	 * @param beanMethod the method as rules may target it: {@code beanName.method}
	 * @param instanceNames the names of the instances its stages use
	 * @return the site, registered for rule changes
	 */
	Chaos site(String beanMethod, Set<String> instanceNames);

}
