package dev.resilience.boot.actuate.endpoint;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadEvent;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerEvent;
import dev.resilience.core.EventPublisher;
import dev.resilience.core.Policy;
import dev.resilience.core.Registry;
import dev.resilience.core.RegistryEvent;
import dev.resilience.core.ResilienceEvent;
import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterEvent;
import dev.resilience.retry.Retry;
import dev.resilience.retry.RetryEvent;
import dev.resilience.timeout.Timeout;
import dev.resilience.timeout.TimeoutEvent;
import org.jspecify.annotations.Nullable;

/**
 * The recent events of every instance of the registries it follows, for the
 * {@code resilienceevents} endpoint and the dashboard's {@code resilience} endpoint: a
 * bounded buffer per instance, stamped with the wall clock on receipt, and the
 * {@value #LATEST} latest notable events of all instances together (state transitions,
 * resets, rejections, retries, timeouts: not the calls that went through), each numbered
 * with an {@code id} that increases across instances (see {@link #latest(long)}).
 * <p>
 * It listens to each registry's events, so that instances created later are followed and
 * removed ones are dropped with their buffers. Listening makes the instances create their
 * events (they create none while nobody listens), so this exists only while the endpoint
 * is available. Recording an event is lock-free: one atomic increment, one
 * compare-and-set and one small object, and for a notable event the same again for the
 * ring of the latest events of all instances (one counter shared by every instance);
 * memory is bounded by {@code bufferSize} events per instance and {@value #LATEST} more.
 * <p>
 * Thread-safe. {@link #close()} stops listening.
 */
public final class RecentEvents implements AutoCloseable {

	/** How many of the latest events of all instances are kept, in order. */
	public static final int LATEST = 100;

	// What the latest events of all instances (the dashboard's feed) keep: what changed
	// or was refused, not every call that went through, which under load would push a
	// transition out within moments. A call's own outcome shows in the rates.
	private static final Set<Enum<?>> NOTABLE = Set.of(CircuitBreakerEvent.Type.STATE_TRANSITION,
			CircuitBreakerEvent.Type.NOT_PERMITTED, CircuitBreakerEvent.Type.RESET, RetryEvent.Type.RETRY,
			RetryEvent.Type.BUDGET_EXHAUSTED, RetryEvent.Type.DEADLINE_EXCEEDED, RateLimiterEvent.Type.REJECTED,
			BulkheadEvent.Type.REJECTED, BulkheadEvent.Type.LIMIT_CHANGED, TimeoutEvent.Type.TIMEOUT,
			dev.resilience.chaos.ChaosEvent.Type.CHAOS_INJECTED);

	private static final Comparator<Cursor> OLDEST_FIRST = Comparator
		.<Cursor, Instant>comparing((cursor) -> cursor.head().timestamp)
		.thenComparing((cursor) -> cursor.head().primitive)
		.thenComparing((cursor) -> cursor.head().name)
		.thenComparingLong((cursor) -> cursor.head().sequence);

	private final int bufferSize;

	private final Clock clock;

	// By the instance followed (a Policy, or a chaos site's event publisher).
	private final Map<Object, Follower> followers = new ConcurrentHashMap<>();

	// The latest events of every instance, by id: the dashboard reads them without
	// merging every instance's buffer.
	private final EventRing latest = EventRing.byId(LATEST);

	private final List<EventPublisher.Subscription> registrySubscriptions = new CopyOnWriteArrayList<>();

	private volatile boolean closed;

	/**
	 * Creates a buffer that follows nothing yet.
	 * @param bufferSize the most recent events kept per instance, at least 1
	 * @param clock the clock that stamps events on receipt
	 */
	public RecentEvents(int bufferSize, Clock clock) {
		if (bufferSize < 1) {
			throw new IllegalArgumentException("bufferSize must be at least 1 but was " + bufferSize);
		}
		this.bufferSize = bufferSize;
		this.clock = Objects.requireNonNull(clock, "clock must not be null");
	}

	/**
	 * Returns the most recent events kept per instance.
	 * @return the buffer size
	 */
	public int bufferSize() {
		return this.bufferSize;
	}

	/**
	 * Follows every instance of a registry, present and future, until it is removed.
	 * @param <P> the instance type
	 * @param <C> the configuration type
	 * @param registry the registry
	 */
	public <P extends Policy<C>, C> void follow(Registry<P, C> registry) {
		// Listen first, then take the instances: an instance added in between is seen
		// twice, and follow(instance) is idempotent.
		this.registrySubscriptions.add(registry.events().onEvent(this::onRegistryEvent));
		for (P instance : registry.all()) {
			follow(instance);
			if (registry.find(instance.name()).orElse(null) != instance) {
				// Removed after the snapshot, possibly before we followed it.
				unfollow(instance);
			}
		}
	}

	private void onRegistryEvent(RegistryEvent<? extends Policy<?>> event) {
		switch (event.type()) {
			case ADDED -> follow(event.instance());
			case REMOVED -> unfollow(event.instance());
			case REPLACED -> {
				// Same instance, same publisher: nothing to do.
			}
		}
	}

	private void follow(Policy<?> instance) {
		if (this.closed) {
			return;
		}
		this.followers.computeIfAbsent(instance, (key) -> new Follower(primitiveOf(instance), instance.name(),
				instance.events(), bulkheadTypeOf(instance), this.bufferSize, this.clock, this.latest));
	}

	/**
	 * Follows a chaos site (one protected method's): its {@code CHAOS_INJECTED} events,
	 * under the primitive {@code chaos} and the site's name ({@code beanName.method}).
	 * @param site the site
	 */
	public void follow(dev.resilience.chaos.Chaos site) {
		if (this.closed) {
			return;
		}
		this.followers.computeIfAbsent(site, (key) -> new Follower("chaos", site.name(), site.events(), null,
				this.bufferSize, this.clock, this.latest));
	}

	private void unfollow(Object instance) {
		Follower follower = this.followers.remove(instance);
		if (follower != null) {
			follower.subscription.close();
		}
	}

	/**
	 * Returns the recent events that pass the filter, oldest first (each instance's
	 * events in the order they were received).
	 * @param primitive only this primitive's events ({@code circuitbreaker},
	 * {@code retry}, ...), or {@code null} for all
	 * @param name only the events of instances of this name, or {@code null} for all
	 * @param type only events of this type (case-insensitive), or {@code null} for all
	 * @return the events
	 */
	List<RecordedEvent> events(@Nullable String primitive, @Nullable String name, @Nullable String type) {
		Predicate<RecordedEvent> typeFilter = (type != null) ? (event) -> event.type.name().equalsIgnoreCase(type)
				: (event) -> true;
		PriorityQueue<Cursor> cursors = new PriorityQueue<>(OLDEST_FIRST);
		int total = 0;
		for (Follower follower : this.followers.values()) {
			if ((primitive != null && !follower.primitive.equals(primitive))
					|| (name != null && !follower.name.equals(name))) {
				continue;
			}
			List<RecordedEvent> events = follower.ring.snapshot().stream().filter(typeFilter).toList();
			if (!events.isEmpty()) {
				cursors.add(new Cursor(events));
				total += events.size();
			}
		}
		// Merge the per-instance lists by time, keeping each instance's own order even if
		// the wall clock stepped back.
		List<RecordedEvent> merged = new ArrayList<>(total);
		while (!cursors.isEmpty()) {
			Cursor cursor = cursors.poll();
			merged.add(cursor.head());
			if (cursor.advance()) {
				cursors.add(cursor);
			}
		}
		return merged;
	}

	/**
	 * Returns the latest notable events of all instances (circuit-breaker
	 * {@code STATE_TRANSITION}, {@code NOT_PERMITTED} and {@code RESET}, retry
	 * {@code RETRY}, {@code BUDGET_EXHAUSTED} and {@code DEADLINE_EXCEEDED}, rate-limiter
	 * and bulkhead {@code REJECTED}, timeout {@code TIMEOUT}), at most {@value #LATEST},
	 * oldest first (by {@code id}, the order in which they were received), with an
	 * {@code id} greater than {@code afterId}. Reads at most {@value #LATEST} references,
	 * whatever the number of instances; the events of an instance removed since stay
	 * until newer ones push them out.
	 * @param afterId the {@code id} of the last event the caller has, or {@code -1} for
	 * all that are kept
	 * @return the events
	 */
	List<RecordedEvent> latest(long afterId) {
		return this.latest.after(afterId);
	}

	/**
	 * Returns how many retry attempts ({@code RETRY} events) a retry has made since it
	 * was followed.
	 * @param retry the retry
	 * @return the count, or {@code -1} if the retry is not followed
	 */
	long retryAttempts(Retry retry) {
		Follower follower = this.followers.get(retry);
		return (follower != null) ? follower.retryAttempts.get() : -1;
	}

	/**
	 * Tells how many instances are followed, for tests.
	 * @return the number of instances
	 */
	int followedInstances() {
		return this.followers.size();
	}

	/**
	 * Stops listening to every registry and instance and drops the buffers.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.registrySubscriptions.forEach(EventPublisher.Subscription::close);
		this.registrySubscriptions.clear();
		for (Object instance : List.copyOf(this.followers.keySet())) {
			unfollow(instance);
		}
	}

	/** One followed instance: its buffer and its subscription. */
	private static final class Follower {

		final String primitive;

		final String name;

		final EventRing ring;

		final EventPublisher.Subscription subscription;

		// RETRY events, for the dashboard's retries per second (no counter in the core).
		final AtomicLong retryAttempts = new AtomicLong();

		Follower(String primitive, String name, EventPublisher<? extends ResilienceEvent> events,
				@Nullable String bulkheadType, int bufferSize, Clock clock, EventRing latest) {
			this.name = name;
			this.primitive = primitive;
			this.ring = new EventRing(bufferSize);
			this.subscription = events.onEvent((ResilienceEvent event) -> {
				boolean notable = NOTABLE.contains(event.type());
				RecordedEvent recorded = RecordedEvent.of(this.ring.claim(), notable ? latest.claim() : -1,
						clock.instant(), event, bulkheadType);
				this.ring.store(recorded);
				if (notable) {
					latest.store(recorded);
				}
				if (event.type() == RetryEvent.Type.RETRY) {
					this.retryAttempts.incrementAndGet();
				}
			});
		}

	}

	// Both kinds of bulkhead publish "bulkhead" events; the kind tells them apart.
	private static @Nullable String bulkheadTypeOf(Policy<?> instance) {
		return (instance instanceof Bulkhead) ? BulkheadsEndpoint.SEMAPHORE
				: (instance instanceof ThreadPoolBulkhead) ? BulkheadsEndpoint.THREAD_POOL : null;
	}

	private static String primitiveOf(Policy<?> instance) {
		if (instance instanceof CircuitBreaker) {
			return "circuitbreaker";
		}
		if (instance instanceof Retry) {
			return "retry";
		}
		if (instance instanceof RateLimiter) {
			return "ratelimiter";
		}
		if (instance instanceof Bulkhead || instance instanceof ThreadPoolBulkhead) {
			return "bulkhead";
		}
		if (instance instanceof Timeout) {
			return "timeout";
		}
		return instance.getClass().getSimpleName().toLowerCase(Locale.ROOT);
	}

	/** A position in one instance's list of events, for the merge. */
	private static final class Cursor {

		private final List<RecordedEvent> events;

		private int index;

		Cursor(List<RecordedEvent> events) {
			this.events = events;
		}

		RecordedEvent head() {
			return this.events.get(this.index);
		}

		boolean advance() {
			return ++this.index < this.events.size();
		}

	}

}
