package dev.resilience.boot.actuate.endpoint;

import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import dev.resilience.core.Ticker;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/*
 * The per-second history behind the dashboard: every second, one sample of the counters
 * of every instance of every registry, turned into rates per second over the real
 * interval since the previous sample (measured on the ticker), and the last CAPACITY
 * samples kept per instance.
 *
 * Who writes: only the sampling thread (one daemon thread, `resilience-dashboard-sampler`,
 * at a fixed rate of one sample per INTERVAL_NANOS), or a test calling sample(now)
 * directly with fake time. Who reads: the threads answering GET /actuator/resilience,
 * through read(since). Both hold `lock`: a sample takes it once per second for as long
 * as it takes to read the counters (no call of a protected method ever takes it: the
 * counters it reads are the instances' own, which exist anyway), a read takes it to
 * copy the arrays it returns. So a reader sees whole samples only: every instance's
 * history ends at the same sample `last`, and nothing it was given changes afterwards.
 * The counters of different instances are read one after the other, not at one
 * instant, so rates of different instances may be a few microseconds apart; the
 * counters' own reads are as consistent as each primitive's metrics() makes them.
 *
 * Memory is bounded: per instance CAPACITY floats per counter and its last counter
 * values; the series of an instance that is no longer in its registry is dropped at the
 * next sample.
 */
final class DashboardSampler implements AutoCloseable {

	/** The samples kept per instance: 3 minutes at one per second. */
	static final int CAPACITY = 180;

	/** The interval between samples, in nanoseconds. */
	static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** The name of the sampling thread. */
	static final String THREAD_NAME = "resilience-dashboard-sampler";

	private static final Log logger = LogFactory.getLog(DashboardSampler.class);

	private final Ticker ticker;

	private final List<Source<?>> sources;

	private final @Nullable MethodLatencies latencies;

	private final Object lock = new Object();

	// Guarded by lock.
	private final Map<Object, Series> series = new IdentityHashMap<>();

	// Guarded by lock: the number of the latest sample (from 1), 0 before the first.
	private long last;

	// Guarded by lock: the ticker reading of the latest sample.
	private long lastNanos;

	private @Nullable ScheduledExecutorService executor;

	/**
	 * Creates a sampler that does not sample until {@link #start() started}.
	 * @param ticker the time source of the intervals
	 * @param sources what to sample
	 * @param latencies the method latencies whose window the sampler moves on, or
	 * {@code null}
	 */
	DashboardSampler(Ticker ticker, List<Source<?>> sources, @Nullable MethodLatencies latencies) {
		this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
		this.sources = List.copyOf(sources);
		this.latencies = latencies;
	}

	/**
	 * Starts the sampling thread; the first sample is taken at once.
	 */
	synchronized void start() {
		if (this.executor != null) {
			return;
		}
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, THREAD_NAME);
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleAtFixedRate(this::sampleNow, 0, INTERVAL_NANOS, TimeUnit.NANOSECONDS);
		this.executor = executor;
	}

	private void sampleNow() {
		try {
			sample(this.ticker.read());
		}
		catch (RuntimeException ex) {
			// A fixed-rate task that throws is never run again: log and keep sampling.
			logger.warn("Dashboard sample failed", ex);
		}
	}

	/**
	 * Takes one sample of every instance's counters at {@code nowNanos}.
	 * @param nowNanos the ticker reading of the sample
	 */
	void sample(long nowNanos) {
		synchronized (this.lock) {
			long number = this.last + 1;
			long elapsed = (this.last == 0) ? 0 : nowNanos - this.lastNanos;
			for (Source<?> source : this.sources) {
				source.sample(this.series, number, elapsed);
			}
			this.series.values().removeIf((series) -> series.sampledAt != number);
			this.last = number;
			this.lastNanos = nowNanos;
		}
		MethodLatencies latencies = this.latencies;
		if (latencies != null) {
			latencies.advance(nowNanos);
		}
	}

	/**
	 * Copies the samples after {@code since}.
	 * @param since the last sample the caller has, or {@code null} for all kept
	 * @return the samples
	 */
	Readout read(@Nullable Long since) {
		synchronized (this.lock) {
			long oldest = Math.max(1, this.last - CAPACITY + 1);
			long first = (since != null && since >= oldest) ? since + 1 : oldest;
			int length = (int) Math.max(0, this.last - first + 1);
			Map<Object, double[][]> histories = new IdentityHashMap<>(this.series.size() * 2);
			Map<Object, double[]> rates = new IdentityHashMap<>(this.series.size() * 2);
			for (Map.Entry<Object, Series> entry : this.series.entrySet()) {
				Series series = entry.getValue();
				histories.put(entry.getKey(), series.copy(first, length));
				rates.put(entry.getKey(), column(series.copy(this.last, 1)));
			}
			return new Readout(first, this.last, length, histories, rates);
		}
	}

	private static double[] column(double[][] history) {
		double[] values = new double[history.length];
		for (int i = 0; i < history.length; i++) {
			values[i] = history[i][0];
		}
		return values;
	}

	/**
	 * Stops the sampling thread and waits (a little) for it to end.
	 */
	@Override
	public synchronized void close() {
		ScheduledExecutorService executor = this.executor;
		if (executor == null) {
			return;
		}
		this.executor = null;
		executor.shutdownNow();
		try {
			executor.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * What the sampler reads of one kind of instance: the instances (of a registry), and
	 * how many monotonic counters each has and how to read them.
	 *
	 * @param <P> the kind of instance
	 * @param instances the instances now
	 * @param counters how many counters an instance has
	 * @param reader copies an instance's counters into an array of that length
	 */
	record Source<P>(Supplier<? extends Collection<P>> instances, int counters, BiConsumer<P, long[]> reader) {

		void sample(Map<Object, Series> series, long number, long elapsedNanos) {
			long[] values = new long[this.counters];
			for (P instance : this.instances.get()) {
				Series current = series.get(instance);
				boolean fresh = current == null;
				if (fresh) {
					current = new Series(this.counters, number);
					series.put(instance, current);
				}
				this.reader.accept(instance, values);
				current.record(number, values, fresh ? 0 : elapsedNanos);
			}
		}

	}

	/** One instance's history. Guarded by the sampler's lock. */
	static final class Series {

		private final float[][] history;

		private final long[] previous;

		// The first sample of this series; the samples before it are padded with 0.
		private final long start;

		long sampledAt;

		Series(int counters, long start) {
			this.history = new float[counters][CAPACITY];
			this.previous = new long[counters];
			this.start = start;
		}

		void record(long number, long[] values, long elapsedNanos) {
			int slot = (int) (number % CAPACITY);
			for (int i = 0; i < values.length; i++) {
				// A counter that went down was reset: it counted from 0 since.
				long delta = (values[i] >= this.previous[i]) ? values[i] - this.previous[i] : values[i];
				this.history[i][slot] = (elapsedNanos > 0) ? (float) (delta * 1e9 / elapsedNanos) : 0f;
				this.previous[i] = values[i];
			}
			this.sampledAt = number;
		}

		double[][] copy(long first, int length) {
			double[][] copy = new double[this.history.length][length];
			for (int i = 0; i < this.history.length; i++) {
				for (int j = 0; j < length; j++) {
					long number = first + j;
					copy[i][j] = (number < this.start) ? 0 : this.history[i][(int) (number % CAPACITY)];
				}
			}
			return copy;
		}

	}

	/**
	 * The samples a reader asked for.
	 *
	 * @param first the number of the first sample given
	 * @param last the number of the latest sample ({@code 0}: none yet)
	 * @param length {@code last - first + 1}, or {@code 0} when {@code first > last}
	 * @param histories by instance, per counter, the rates of samples {@code first} to
	 * {@code last}
	 * @param rates by instance, per counter, the rates of the latest sample
	 */
	record Readout(long first, long last, int length, Map<Object, double[][]> histories, Map<Object, double[]> rates) {

		/**
		 * Returns an instance's history, all zeros if it has not been sampled yet.
		 * @param instance the instance
		 * @param counters its number of counters
		 * @return per counter, the rates of samples {@code first} to {@code last}
		 */
		double[][] history(Object instance, int counters) {
			double[][] history = this.histories.get(instance);
			return (history != null) ? history : new double[counters][this.length];
		}

		/**
		 * Returns an instance's rates at the latest sample, all zeros if it has not been
		 * sampled yet.
		 * @param instance the instance
		 * @param counters its number of counters
		 * @return per counter, the rate per second
		 */
		double[] rates(Object instance, int counters) {
			double[] rates = this.rates.get(instance);
			return (rates != null) ? rates : new double[counters];
		}

	}

}
