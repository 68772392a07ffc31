package dev.resilience.boot.deadline;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.resilience.deadline.DeadlineListener;
import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/*
 * Design.
 *
 * Every counter (one per stage and mode, one per inbound header) is registered when the
 * binder is bound, so each series exists, at zero, before the first cut: an alert on its
 * rate needs no "absent" special case. Counting looks nothing up: it indexes an array
 * made at binding. A binder may be bound to several registries; each binding adds its
 * own arrays to a copy-on-write list, read without a lock. Counting is off the success
 * path (a cut, or a malformed header), so the list's iterator is no concern.
 */
/**
 * The deadline meters, bound to the application's meter registries:
 * <ul>
 * <li>{@code resilience.deadline.exceeded{stage,mode}}: calls that did not fit in their
 * deadline, counted once per stage that reports it ({@code stage} =
 * {@link DeadlineStage#value()}, {@code mode} = {@code observe} or {@code enforce});</li>
 * <li>{@code resilience.deadline.inbound.malformed{header}}: inbound header values that
 * could not be read as a budget, and were left out.</li>
 * </ul>
 * Also the {@link DeadlineListener} that counts. Thread-safe.
 */
final class DeadlineMeters implements MeterBinder, DeadlineListener, InboundDeadlineHeaders.MalformedHeaders {

	static final String EXCEEDED = "resilience.deadline.exceeded";

	static final String MALFORMED = "resilience.deadline.inbound.malformed";

	/** The tag keys these meters set themselves; extra tags may not use them. */
	static final List<String> TAG_KEYS = List.of("stage", "mode", "header");

	private static final DeadlineStage[] STAGES = DeadlineStage.values();

	private static final DeadlineMode[] MODES = DeadlineMode.values();

	private final List<String> headers;

	private final Tags tags;

	private final List<Counter[]> exceeded = new CopyOnWriteArrayList<>();

	private final List<Counter[]> malformed = new CopyOnWriteArrayList<>();

	/**
	 * Creates the meters.
	 * @param headers the inbound header names, in their configured order
	 * @param tags extra tags on every meter
	 */
	DeadlineMeters(List<String> headers, Map<String, String> tags) {
		this.headers = List.copyOf(headers);
		Tags all = Tags.empty();
		for (Map.Entry<String, String> tag : tags.entrySet()) {
			all = all.and(tag.getKey(), tag.getValue());
		}
		this.tags = all;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Counter[] byStageAndMode = new Counter[STAGES.length * MODES.length];
		for (DeadlineStage stage : STAGES) {
			for (DeadlineMode mode : MODES) {
				byStageAndMode[index(stage, mode)] = Counter.builder(EXCEEDED)
					.description("Calls that did not fit in what was left of their deadline: cut (enforce) "
							+ "or let through (observe)")
					.tags(this.tags)
					.tag("stage", stage.value())
					.tag("mode", modeValue(mode))
					.register(registry);
			}
		}
		Counter[] byHeader = new Counter[this.headers.size()];
		for (int i = 0; i < byHeader.length; i++) {
			byHeader[i] = Counter.builder(MALFORMED)
				.description("Inbound request header values that could not be read as a budget, left out")
				.tags(this.tags)
				.tag("header", this.headers.get(i))
				.register(registry);
		}
		this.exceeded.add(byStageAndMode);
		this.malformed.add(byHeader);
	}

	@Override
	public void exceeded(DeadlineStage stage, String instanceName, DeadlineMode mode, long remainingNanos) {
		int index = index(stage, mode);
		for (Counter[] counters : this.exceeded) {
			counters[index].increment();
		}
	}

	@Override
	public void malformed(int index) {
		for (Counter[] counters : this.malformed) {
			if (index < counters.length) {
				counters[index].increment();
			}
		}
	}

	/**
	 * Returns the {@code mode} tag's value.
	 * @param mode the mode
	 * @return {@code observe} or {@code enforce}
	 */
	static String modeValue(DeadlineMode mode) {
		return (mode == DeadlineMode.ENFORCE) ? "enforce" : "observe";
	}

	private static int index(DeadlineStage stage, DeadlineMode mode) {
		return stage.ordinal() * MODES.length + mode.ordinal();
	}

}
