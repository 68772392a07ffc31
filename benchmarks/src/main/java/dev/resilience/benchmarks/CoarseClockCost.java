package dev.resilience.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.resilience.core.CoarseTicker;
import dev.resilience.core.Ticker;

/**
 * What the coarse clock's refresh thread costs: its CPU time per second of wall time
 * while another thread reads the ticker without pause, and while nothing reads it (it
 * parks). Not a JMH benchmark: the cost is a background thread's, not a call's.
 * <p>
 * Run it from the repository root, after {@code mvn -B -DskipTests package}: <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.resilience.benchmarks.CoarseClockCost [seconds]
 * </pre>
 */
public final class CoarseClockCost {

	private CoarseClockCost() {
	}

	/**
	 * Measures and prints.
	 * @param args the seconds each phase lasts (default 10)
	 * @throws Exception if the reader is interrupted
	 */
	public static void main(String[] args) throws Exception {
		int seconds = (args.length > 0) ? Integer.parseInt(args[0]) : 10;
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		try (CoarseTicker ticker = Ticker.coarse(Duration.ofMillis(1))) {
			long refresher = refresherId();
			// Read without pause on another thread.
			long[] reads = new long[1];
			Thread reader = new Thread(() -> {
				long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
				long count = 0;
				while (System.nanoTime() - end < 0) {
					// A volatile read: not optimized away.
					ticker.read();
					count++;
				}
				reads[0] = count;
			});
			long cpuBefore = threads.getThreadCpuTime(refresher);
			long wallBefore = System.nanoTime();
			reader.start();
			reader.join();
			report("read without pause (" + reads[0] + " reads)", threads.getThreadCpuTime(refresher) - cpuBefore,
					System.nanoTime() - wallBefore);
			// Nothing reads: the thread parks after CoarseTicker.IDLE_REFRESHES
			// publications.
			cpuBefore = threads.getThreadCpuTime(refresher);
			wallBefore = System.nanoTime();
			Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
			report("not read", threads.getThreadCpuTime(refresher) - cpuBefore, System.nanoTime() - wallBefore);
		}
	}

	private static long refresherId() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("resilience-coarse-ticker"))
			.findFirst()
			.orElseThrow()
			.getId();
	}

	private static void report(String phase, long cpuNanos, long wallNanos) {
		System.out.printf("%s: refresh thread CPU %.3f%% of one core (%.1f ms in %.1f s)%n", phase,
				100.0 * cpuNanos / wallNanos, cpuNanos / 1e6, wallNanos / 1e9);
	}

}
