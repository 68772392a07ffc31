/**
 * Chaos experiments on named instances: rules from {@code resilience.chaos.*} and the
 * {@code chaos} Actuator endpoint, applied by a chaos stage innermost in every protected
 * method's pipeline while {@code resilience.chaos.enabled} is on.
 */
@NullMarked
package dev.resilience.boot.chaos;

import org.jspecify.annotations.NullMarked;
