package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code bulkheads} endpoint: every bulkhead of both kinds, semaphore
 * ({@code @Bulkhead}) and thread-pool ({@code @Bulkhead(type = THREAD_POOL)}), with its
 * figures and configuration ({@code GET}), one by name ({@code GET /{name}}), and
 * run-time changes of its size ({@code POST /{name}}): {@code maxConcurrentCalls} and
 * {@code maxWaitDuration} for a semaphore bulkhead; {@code coreThreadPoolSize},
 * {@code maxThreadPoolSize} and {@code keepAliveDuration} for a thread-pool one (its
 * {@code queueCapacity} cannot change at run time).
 * <p>
 * The two kinds have separate names: {@code /{name}} finds the semaphore bulkhead of that
 * name, else the thread-pool one; the optional {@code type} parameter ({@code semaphore}
 * or {@code thread-pool}, as a query parameter or a body field) picks one kind. A change
 * is validated as the configuration builder validates (400 with its message, nothing
 * changed) and applied in place through {@code replaceConfigIfPresent}: calls in flight
 * keep their places and the totals are kept. An unknown name answers 404 and creates
 * nothing, also when the bulkhead is removed while the change is made. Thread-safe.
 */
@WebEndpoint(id = "bulkheads")
public final class BulkheadsEndpoint {

	/** The {@code type} of a semaphore bulkhead. */
	public static final String SEMAPHORE = "semaphore";

	/** The {@code type} of a thread-pool bulkhead. */
	public static final String THREAD_POOL = "thread-pool";

	private final BulkheadRegistry registry;

	private final @Nullable ThreadPoolBulkheadRegistry threadPoolRegistry;

	private final Object writeLock = new Object();

	/**
	 * Creates the endpoint.
	 * @param registry the semaphore bulkheads to show and steer
	 * @param threadPoolRegistry the thread-pool bulkheads, or {@code null} if there are
	 * none
	 */
	public BulkheadsEndpoint(BulkheadRegistry registry, @Nullable ThreadPoolBulkheadRegistry threadPoolRegistry) {
		this.registry = registry;
		this.threadPoolRegistry = threadPoolRegistry;
	}

	/**
	 * Describes every bulkhead, each kind ordered by name.
	 * @return the bulkheads of each kind by name
	 */
	@ReadOperation
	public BulkheadsDescriptor bulkheads() {
		Map<String, SemaphoreBulkheadDescriptor> semaphores = new LinkedHashMap<>();
		for (Bulkhead bulkhead : this.registry.all()) {
			semaphores.put(bulkhead.name(), describe(bulkhead));
		}
		Map<String, ThreadPoolBulkheadDescriptor> threadPools = new LinkedHashMap<>();
		if (this.threadPoolRegistry != null) {
			for (ThreadPoolBulkhead bulkhead : this.threadPoolRegistry.all()) {
				threadPools.put(bulkhead.name(), describe(bulkhead));
			}
		}
		return new BulkheadsDescriptor(semaphores, threadPools);
	}

	/**
	 * Describes one bulkhead.
	 * @param name the bulkhead's name
	 * @param type {@code semaphore} or {@code thread-pool}, or {@code null} for the
	 * semaphore bulkhead of that name, else the thread-pool one
	 * @return its description; 404 if there is none of that name; 400 for an unknown type
	 */
	@ReadOperation
	public WebEndpointResponse<Object> bulkhead(@Selector String name, @Nullable String type) {
		try {
			Object found = find(name, type);
			if (found == null) {
				return notFound(name, type);
			}
			return EndpointResponses.ok(describeAny(found));
		}
		catch (InvalidInputException ex) {
			return EndpointResponses.badRequest(ex.getMessage());
		}
	}

	/**
	 * Changes a bulkhead's settings; those not given keep their value.
	 * @param name the bulkhead's name
	 * @param type {@code semaphore} or {@code thread-pool}, or {@code null} as for
	 * {@link #bulkhead(String, String)}
	 * @param maxConcurrentCalls a semaphore bulkhead's limit
	 * @param maxWaitDuration how long a caller may wait for a place in a semaphore
	 * bulkhead
	 * @param coreThreadPoolSize a thread-pool bulkhead's core size
	 * @param maxThreadPoolSize a thread-pool bulkhead's maximum size
	 * @param keepAliveDuration how long an idle thread above the core size lives
	 * @param queueCapacity a thread-pool bulkhead's queue capacity: accepted only if
	 * unchanged, since it cannot change at run time
	 * @return the bulkhead's new description; 404 for an unknown name; 400 for an invalid
	 * value, a setting of the other kind, or an empty change
	 */
	@WriteOperation
	public WebEndpointResponse<Object> update(@Selector String name, @Nullable String type,
			@Nullable String maxConcurrentCalls, @Nullable String maxWaitDuration, @Nullable String coreThreadPoolSize,
			@Nullable String maxThreadPoolSize, @Nullable String keepAliveDuration, @Nullable String queueCapacity) {
		synchronized (this.writeLock) {
			try {
				Object found = find(name, type);
				if (found == null) {
					return notFound(name, type);
				}
				Optional<?> changed;
				if (found instanceof Bulkhead bulkhead) {
					rejectSettingsOfOtherKind(SEMAPHORE, coreThreadPoolSize, "coreThreadPoolSize", maxThreadPoolSize,
							"maxThreadPoolSize", keepAliveDuration, "keepAliveDuration", queueCapacity,
							"queueCapacity");
					changed = updateSemaphore(bulkhead, maxConcurrentCalls, maxWaitDuration);
				}
				else {
					rejectSettingsOfOtherKind(THREAD_POOL, maxConcurrentCalls, "maxConcurrentCalls", maxWaitDuration,
							"maxWaitDuration");
					changed = updateThreadPool((ThreadPoolBulkhead) found, coreThreadPoolSize, maxThreadPoolSize,
							keepAliveDuration, queueCapacity);
				}
				// Removed since it was found: 404, never a new bulkhead that no caller
				// uses.
				return changed.<WebEndpointResponse<Object>>map((current) -> EndpointResponses.ok(describeAny(current)))
					.orElseGet(() -> notFound(name, type));
			}
			catch (InvalidInputException | IllegalArgumentException ex) {
				return EndpointResponses.badRequest(ex.getMessage());
			}
		}
	}

	private Optional<Bulkhead> updateSemaphore(Bulkhead bulkhead, @Nullable String maxConcurrentCalls,
			@Nullable String maxWaitDuration) {
		Integer limit = WriteArguments.integer(maxConcurrentCalls, "maxConcurrentCalls");
		Duration wait = WriteArguments.duration(maxWaitDuration, "maxWaitDuration");
		if (limit == null && wait == null) {
			throw new InvalidInputException(
					"Give at least one of maxConcurrentCalls, maxWaitDuration in the request body");
		}
		BulkheadConfig.Builder builder = BulkheadConfig.from(bulkhead.config());
		if (limit != null) {
			builder.maxConcurrentCalls(limit);
		}
		if (wait != null) {
			builder.maxWaitDuration(wait);
		}
		return this.registry.replaceConfigIfPresent(bulkhead.name(), builder.build());
	}

	private Optional<ThreadPoolBulkhead> updateThreadPool(ThreadPoolBulkhead bulkhead,
			@Nullable String coreThreadPoolSize, @Nullable String maxThreadPoolSize, @Nullable String keepAliveDuration,
			@Nullable String queueCapacity) {
		Integer core = WriteArguments.integer(coreThreadPoolSize, "coreThreadPoolSize");
		Integer max = WriteArguments.integer(maxThreadPoolSize, "maxThreadPoolSize");
		Duration keepAlive = WriteArguments.duration(keepAliveDuration, "keepAliveDuration");
		Integer queue = WriteArguments.integer(queueCapacity, "queueCapacity");
		if (core == null && max == null && keepAlive == null && queue == null) {
			throw new InvalidInputException("Give at least one of coreThreadPoolSize, maxThreadPoolSize, "
					+ "keepAliveDuration in the request body");
		}
		ThreadPoolBulkheadConfig.Builder builder = ThreadPoolBulkheadConfig.from(bulkhead.config());
		if (core != null) {
			builder.coreThreadPoolSize(core);
		}
		if (max != null) {
			builder.maxThreadPoolSize(max);
		}
		if (keepAlive != null) {
			builder.keepAliveDuration(keepAlive);
		}
		if (queue != null) {
			builder.queueCapacity(queue);
		}
		// find() returns a thread-pool bulkhead only from that registry, so it is there.
		return Objects.requireNonNull(this.threadPoolRegistry).replaceConfigIfPresent(bulkhead.name(), builder.build());
	}

	private static void rejectSettingsOfOtherKind(String kind, @Nullable Object... valuesAndNames) {
		for (int i = 0; i < valuesAndNames.length; i += 2) {
			if (valuesAndNames[i] != null) {
				throw new InvalidInputException(valuesAndNames[i + 1] + " does not apply to a " + kind + " bulkhead");
			}
		}
	}

	private @Nullable Object find(String name, @Nullable String type) {
		String kind = parseType(type);
		// find, never instance(name): asking about a name must not create a bulkhead.
		if (kind == null || kind.equals(SEMAPHORE)) {
			Optional<Bulkhead> semaphore = this.registry.find(name);
			if (semaphore.isPresent() || kind != null) {
				return semaphore.orElse(null);
			}
		}
		return (this.threadPoolRegistry != null) ? this.threadPoolRegistry.find(name).orElse(null) : null;
	}

	private static @Nullable String parseType(@Nullable String type) {
		if (type == null) {
			return null;
		}
		String normalized = type.trim().toLowerCase(Locale.ROOT).replace('_', '-');
		if (normalized.equals(SEMAPHORE) || normalized.equals(THREAD_POOL)) {
			return normalized;
		}
		throw new InvalidInputException(
				"type must be '" + SEMAPHORE + "' or '" + THREAD_POOL + "' but was '" + type + "'");
	}

	private static WebEndpointResponse<Object> notFound(String name, @Nullable String type) {
		String kind = (type != null) ? parseType(type) + " bulkhead" : "bulkhead";
		return EndpointResponses.notFound("No " + kind + " named '" + name + "'");
	}

	private static Object describeAny(Object bulkhead) {
		return (bulkhead instanceof Bulkhead semaphore) ? describe(semaphore) : describe((ThreadPoolBulkhead) bulkhead);
	}

	private static SemaphoreBulkheadDescriptor describe(Bulkhead bulkhead) {
		Bulkhead.Metrics metrics = bulkhead.metrics();
		return new SemaphoreBulkheadDescriptor(bulkhead.name(), SEMAPHORE, metrics.maxConcurrentCalls(),
				metrics.maxConcurrentCalls(), limitAlgorithm(bulkhead.config()), metrics.availableConcurrentCalls(),
				metrics.activeCalls(), metrics.totalPermittedCalls(), metrics.totalRejectedCalls(), metrics.liveKeys(),
				ConfigDescriptions.of(bulkhead.config().describe()));
	}

	static String limitAlgorithm(BulkheadConfig config) {
		return config.limit().algorithm().name().toLowerCase(Locale.ROOT);
	}

	private static ThreadPoolBulkheadDescriptor describe(ThreadPoolBulkhead bulkhead) {
		ThreadPoolBulkhead.Metrics metrics = bulkhead.metrics();
		return new ThreadPoolBulkheadDescriptor(bulkhead.name(), THREAD_POOL, metrics.coreThreadPoolSize(),
				metrics.threadPoolSize(), metrics.maxThreadPoolSize(), metrics.queueDepth(), metrics.queueCapacity(),
				metrics.remainingQueueCapacity(), metrics.activeThreads(), metrics.totalPermittedCalls(),
				metrics.totalRejectedCalls(), ConfigDescriptions.of(bulkhead.config().describe()));
	}

	/**
	 * Every bulkhead, by kind.
	 *
	 * @param bulkheads the semaphore bulkheads by name, ordered by name
	 * @param threadPoolBulkheads the thread-pool bulkheads by name, ordered by name
	 */
	public record BulkheadsDescriptor(Map<String, SemaphoreBulkheadDescriptor> bulkheads,
			Map<String, ThreadPoolBulkheadDescriptor> threadPoolBulkheads) {
	}

	/**
	 * One semaphore bulkhead: its figures (see {@link Bulkhead.Metrics}) and its
	 * configuration.
	 *
	 * @param name the name
	 * @param type always {@value BulkheadsEndpoint#SEMAPHORE}
	 * @param maxConcurrentCalls the limit now (kept for clients written before
	 * {@code limit}): the same as {@code limit}
	 * @param limit the limit now: {@code maxConcurrentCalls} of a fixed bulkhead, the
	 * current value of an adaptive one
	 * @param limitAlgorithm {@code fixed}, {@code aimd}, {@code gradient2} or
	 * {@code vegas}
	 * @param availableConcurrentCalls places free now
	 * @param activeCalls calls in flight now
	 * @param totalPermittedCalls calls permitted since creation
	 * @param totalRejectedCalls calls rejected since creation
	 * @param liveKeys keys with calls in flight in a bulkhead of their own
	 * ({@code @Bulkhead(key = ...)}), at most {@code config.maxKeys}
	 * @param config the configuration in force, by setting name
	 */
	public record SemaphoreBulkheadDescriptor(String name, String type, int maxConcurrentCalls, int limit,
			String limitAlgorithm, int availableConcurrentCalls, int activeCalls, long totalPermittedCalls,
			long totalRejectedCalls, long liveKeys, Map<String, Object> config) {
	}

	/**
	 * One thread-pool bulkhead: its figures (see {@link ThreadPoolBulkhead.Metrics}) and
	 * its configuration.
	 *
	 * @param name the name
	 * @param type always {@value BulkheadsEndpoint#THREAD_POOL}
	 * @param coreThreadPoolSize the configured core size
	 * @param threadPoolSize the threads in the pool now
	 * @param maxThreadPoolSize the configured maximum size
	 * @param queueDepth the calls waiting for a thread
	 * @param queueCapacity the configured queue capacity
	 * @param remainingQueueCapacity the queue slots free now
	 * @param activeThreads the threads running a call now (approximate)
	 * @param totalPermittedCalls calls accepted since creation
	 * @param totalRejectedCalls calls rejected since creation
	 * @param config the configuration in force, by setting name
	 */
	public record ThreadPoolBulkheadDescriptor(String name, String type, int coreThreadPoolSize, int threadPoolSize,
			int maxThreadPoolSize, int queueDepth, int queueCapacity, int remainingQueueCapacity, int activeThreads,
			long totalPermittedCalls, long totalRejectedCalls, Map<String, Object> config) {
	}

}
