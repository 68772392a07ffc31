package dev.resilience.limit;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * A deterministic discrete-event simulation on fake time (no threads, no clock): a
 * dependency with {@code servers} servers, each serving one call in {@code serviceNanos};
 * calls beyond the servers queue (first in, first out), so a call's latency is its wait
 * plus the service time, and the latency grows once more calls run at once than there are
 * servers (Little's law). A closed loop of {@code clients}: each calls again as soon as
 * its call ends, and a client refused by the limiter (in flight at the limit) tries again
 * after {@code retryNanos}. The limiter admits while in flight is below
 * {@link AdaptiveLimit#limit()} and samples each call as it ends: its latency, the calls
 * in flight including itself, and whether it failed (a fraction {@code failureRate} of
 * the calls, drawn from a seeded random, or a latency above the AIMD timeout, which the
 * algorithm itself judges).
 */
final class DependencySimulation {

	private static final int ARRIVE = 0;

	private static final int COMPLETE = 1;

	private final AdaptiveLimit limit;

	private final int clients;

	private final long retryNanos;

	// Free times of the servers: the earliest is the next to serve.
	private final PriorityQueue<Long> servers = new PriorityQueue<>();

	// Events: time, then kind and data packed in a long[] {time, kind, start, failed}.
	private final PriorityQueue<long[]> events = new PriorityQueue<>(
			(a, b) -> (a[0] != b[0]) ? Long.compare(a[0], b[0]) : Long.compare(a[4], b[4]));

	private final SplittableRandom random = new SplittableRandom(17);

	private long serviceNanos;

	private double failureRate;

	private long now;

	private long sequence;

	private int inFlight;

	private long samples;

	private int maxInFlightAtAdmission;

	DependencySimulation(AdaptiveLimit limit, int servers, long serviceNanos, int clients, long retryNanos) {
		this.limit = limit;
		this.clients = clients;
		this.retryNanos = retryNanos;
		this.serviceNanos = serviceNanos;
		addServers(servers);
		for (int i = 0; i < clients; i++) {
			schedule(0, ARRIVE, 0, 0);
		}
	}

	void addServers(int count) {
		for (int i = 0; i < count; i++) {
			this.servers.add(this.now);
		}
	}

	void serviceNanos(long serviceNanos) {
		this.serviceNanos = serviceNanos;
	}

	void failureRate(double failureRate) {
		this.failureRate = failureRate;
	}

	long samples() {
		return this.samples;
	}

	int maxInFlightAtAdmission() {
		return this.maxInFlightAtAdmission;
	}

	/**
	 * Runs until {@code count} more samples were taken, telling {@code afterSample} the
	 * limit after each.
	 */
	void run(long count, IntConsumer afterSample) {
		long until = this.samples + count;
		while (this.samples < until) {
			long[] event = this.events.poll();
			this.now = event[0];
			if (event[1] == ARRIVE) {
				arrive();
			}
			else {
				complete(event[2], event[3] != 0);
				afterSample.accept(this.limit.limit());
			}
		}
	}

	private void arrive() {
		if (this.inFlight >= this.limit.limit()) {
			schedule(this.now + this.retryNanos, ARRIVE, 0, 0);
			return;
		}
		this.inFlight++;
		this.maxInFlightAtAdmission = Math.max(this.maxInFlightAtAdmission, this.inFlight);
		long free = this.servers.poll();
		long done = Math.max(this.now, free) + this.serviceNanos;
		this.servers.add(done);
		boolean failed = this.failureRate > 0 && this.random.nextDouble() < this.failureRate;
		schedule(done, COMPLETE, this.now, failed ? 1 : 0);
	}

	private void complete(long start, boolean failed) {
		this.samples++;
		this.limit.onSample(this.now - start, this.inFlight, failed);
		this.inFlight--;
		// The client calls again at once (a closed loop).
		schedule(this.now, ARRIVE, 0, 0);
	}

	private void schedule(long time, int kind, long start, long failed) {
		this.events.add(new long[] { time, kind, start, failed, this.sequence++ });
	}

}
