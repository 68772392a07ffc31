/**
 * Chaos experiments: faults injected inside a pipeline, around the call itself, so that
 * the real circuit breaker, retry, timeout and fallback react to them as to a real
 * failure.
 * <p>
 * A {@link dev.resilience.chaos.ChaosRule} (a name and a
 * {@link dev.resilience.chaos.ChaosRuleConfig}: a
 * {@link dev.resilience.chaos.ChaosFault}, a rate, an enable switch) may apply to any
 * number of call sites; a {@link dev.resilience.chaos.Chaos} is the chaos of one site
 * (one {@link dev.resilience.pipeline.Pipeline}, given to
 * {@link dev.resilience.pipeline.Pipeline.Builder#chaos(Chaos)}), which decides per call
 * whether one of its rules applies, drawing from a
 * {@link dev.resilience.chaos.ChaosRandom} (seeded in tests, so that the calls affected
 * are known). An injected exception is the configured type, marked so that
 * {@link dev.resilience.chaos.Chaos#isInjected(Throwable)} tells it from a real failure.
 */
@NullMarked
package dev.resilience.chaos;

import org.jspecify.annotations.NullMarked;
