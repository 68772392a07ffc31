package dev.resilience.boot.health;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.health.contributor.Status;

/**
 * A {@link StatusAggregator} that ranks the {@linkplain ResilienceStatus informational
 * statuses} after {@code UP} and before {@code UNKNOWN}, around the aggregator a health
 * group would use anyway (the default order,
 * {@code management.endpoint.health.status.order} or a group's own order).
 * <p>
 * Spring Boot's {@code SimpleStatusAggregator} drops every status missing from its order
 * and answers {@code UNKNOWN} when nothing is left, so a composite whose breakers are all
 * open would turn {@code UNKNOWN}. Here:
 * <ul>
 * <li>without informational statuses, the delegate decides alone;</li>
 * <li>if the delegate orders every informational status present (the user listed them),
 * the delegate decides alone, so a user's order wins;</li>
 * <li>otherwise the delegate aggregates the other statuses, and when that gives nothing
 * (no other status, or only {@code UNKNOWN}) the answer is the first informational status
 * present, in the order of {@link ResilienceStatus#INFORMATIONAL}.</li>
 * </ul>
 * So one open breaker among closed ones leaves its composite {@code UP}, breakers that
 * are all open make it {@code CIRCUIT_OPEN}, and beside any {@code UP} contributor the
 * application stays {@code UP}.
 * <p>
 * Thread-safe if the delegate is.
 */
public final class ResilienceStatusAggregator implements StatusAggregator {

	private final StatusAggregator delegate;

	/**
	 * Wraps an aggregator.
	 * @param delegate the aggregator that ranks every other status
	 */
	public ResilienceStatusAggregator(StatusAggregator delegate) {
		this.delegate = Objects.requireNonNull(delegate, "delegate must not be null");
	}

	/**
	 * Returns the aggregator this one wraps.
	 * @return the delegate
	 */
	public StatusAggregator delegate() {
		return this.delegate;
	}

	@Override
	public Status getAggregateStatus(Set<Status> statuses) {
		@Nullable Status first = null;
		boolean delegateOrdersAll = true;
		for (Status informational : ResilienceStatus.INFORMATIONAL) {
			if (statuses.contains(informational)) {
				first = (first != null) ? first : informational;
				delegateOrdersAll &= informational.equals(this.delegate.getAggregateStatus(Set.of(informational)));
			}
		}
		if (first == null || delegateOrdersAll) {
			return this.delegate.getAggregateStatus(statuses);
		}
		Set<Status> others = new LinkedHashSet<>(statuses);
		others.removeAll(ResilienceStatus.INFORMATIONAL);
		Status aggregate = others.isEmpty() ? Status.UNKNOWN : this.delegate.getAggregateStatus(others);
		return Status.UNKNOWN.equals(aggregate) ? first : aggregate;
	}

	@Override
	public String toString() {
		return "ResilienceStatusAggregator[" + this.delegate + "]";
	}

}
