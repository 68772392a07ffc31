package dev.resilience.boot.actuate.endpoint;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.resilience.ratelimiter.RateLimiter;
import dev.resilience.ratelimiter.RateLimiterConfig;
import dev.resilience.ratelimiter.RateLimiterRegistry;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code ratelimiters} endpoint: every rate limiter with its figures and
 * configuration ({@code GET}), one by name ({@code GET /{name}}), and run-time changes of
 * its limit ({@code POST /{name}} with any of {@code limitForPeriod},
 * {@code limitRefreshPeriod}, {@code timeoutDuration}, {@code burstCapacity}).
 * <p>
 * A change is validated as the configuration builder validates (400 with its message,
 * nothing changed) and applied in place through
 * {@link RateLimiterRegistry#replaceConfigIfPresent}: the bucket keeps its level and the
 * totals are kept. An unknown name answers 404 and creates nothing, also when the rate
 * limiter is removed while the change is made (the change then applies to nothing).
 * Thread-safe; changes are applied one at a time, so two concurrent changes of different
 * settings both stick.
 */
@WebEndpoint(id = "ratelimiters")
public final class RateLimitersEndpoint {

	private final RateLimiterRegistry registry;

	private final Object writeLock = new Object();

	/**
	 * Creates the endpoint.
	 * @param registry the rate limiters to show and steer
	 */
	public RateLimitersEndpoint(RateLimiterRegistry registry) {
		this.registry = registry;
	}

	/**
	 * Describes every rate limiter, ordered by name.
	 * @return the rate limiters by name
	 */
	@ReadOperation
	public RateLimitersDescriptor rateLimiters() {
		Map<String, RateLimiterDescriptor> byName = new LinkedHashMap<>();
		for (RateLimiter limiter : this.registry.all()) {
			byName.put(limiter.name(), describe(limiter));
		}
		return new RateLimitersDescriptor(byName);
	}

	/**
	 * Describes one rate limiter.
	 * @param name the rate limiter's name
	 * @return its description, or 404 if there is none of that name
	 */
	@ReadOperation
	public WebEndpointResponse<Object> rateLimiter(@Selector String name) {
		return this.registry.find(name)
			.map((limiter) -> EndpointResponses.ok(describe(limiter)))
			.orElseGet(() -> notFound(name));
	}

	/**
	 * Changes a rate limiter's settings; those not given keep their value.
	 * @param name the rate limiter's name
	 * @param limitForPeriod permits per refresh period
	 * @param limitRefreshPeriod the refresh period ({@code "1s"}, {@code "PT1S"}, or
	 * milliseconds)
	 * @param timeoutDuration how long a caller may wait for permits
	 * @param burstCapacity permits the bucket holds ({@code 0}: {@code limitForPeriod})
	 * @return the rate limiter's new description; 404 for an unknown name; 400 for an
	 * invalid value or an empty change
	 */
	@WriteOperation
	public WebEndpointResponse<Object> update(@Selector String name, @Nullable String limitForPeriod,
			@Nullable String limitRefreshPeriod, @Nullable String timeoutDuration, @Nullable String burstCapacity) {
		synchronized (this.writeLock) {
			Optional<RateLimiter> found = this.registry.find(name);
			if (found.isEmpty()) {
				return notFound(name);
			}
			RateLimiter limiter = found.get();
			Optional<RateLimiter> changed;
			try {
				Integer limit = WriteArguments.integer(limitForPeriod, "limitForPeriod");
				Duration period = WriteArguments.duration(limitRefreshPeriod, "limitRefreshPeriod");
				Duration timeout = WriteArguments.duration(timeoutDuration, "timeoutDuration");
				Integer burst = WriteArguments.integer(burstCapacity, "burstCapacity");
				if (limit == null && period == null && timeout == null && burst == null) {
					throw new InvalidInputException("Give at least one of limitForPeriod, limitRefreshPeriod, "
							+ "timeoutDuration, burstCapacity in the request body");
				}
				RateLimiterConfig.Builder builder = RateLimiterConfig.from(limiter.config());
				if (limit != null) {
					builder.limitForPeriod(limit);
				}
				if (period != null) {
					builder.limitRefreshPeriod(period);
				}
				if (timeout != null) {
					builder.timeoutDuration(timeout);
				}
				if (burst != null) {
					builder.burstCapacity(burst);
				}
				changed = this.registry.replaceConfigIfPresent(name, builder.build());
			}
			catch (InvalidInputException | IllegalArgumentException ex) {
				return EndpointResponses.badRequest(ex.getMessage());
			}
			// Removed since it was found: 404, never a new limiter that no caller uses.
			return changed.map((current) -> EndpointResponses.ok(describe(current))).orElseGet(() -> notFound(name));
		}
	}

	private static WebEndpointResponse<Object> notFound(String name) {
		return EndpointResponses.notFound("No rate limiter named '" + name + "'");
	}

	private static RateLimiterDescriptor describe(RateLimiter limiter) {
		RateLimiter.Metrics metrics = limiter.metrics();
		RateLimiterConfig config = limiter.config();
		return new RateLimiterDescriptor(limiter.name(), metrics.availablePermissions(),
				config.effectiveBurstCapacity(), metrics.totalPermittedCalls(), metrics.totalRejectedCalls(),
				metrics.liveKeys(), BackendStates.backend(limiter), BackendStates.backendAvailable(limiter),
				ConfigDescriptions.of(config.describe()));
	}

	/**
	 * Every rate limiter.
	 *
	 * @param rateLimiters the rate limiters by name, ordered by name
	 */
	public record RateLimitersDescriptor(Map<String, RateLimiterDescriptor> rateLimiters) {
	}

	/**
	 * One rate limiter: its figures (see {@link RateLimiter.Metrics}) and its
	 * configuration.
	 *
	 * @param name the name
	 * @param availablePermissions permits available now (negative when reserved ahead)
	 * @param effectiveBurstCapacity the bucket size in force
	 * @param totalPermittedCalls calls permitted since creation
	 * @param totalRejectedCalls calls rejected since creation
	 * @param liveKeys keys with a bucket of their own that has not refilled
	 * ({@code @RateLimited(key = ...)}); for the {@code redis} backend, in Redis across
	 * the application's instances, as the last decision on a key here counted them
	 * @param backend where the buckets live: {@code local} or {@code redis}
	 * @param backendAvailable for a {@code redis} backend, whether Redis answered the
	 * last decision; {@code null} for {@code local}, and then left out of the JSON
	 * @param config the configuration in force, by setting name ({@code maxKeys}
	 * included); for the {@code redis} backend, the one stored in Redis for every
	 * instance of the application
	 */
	public record RateLimiterDescriptor(String name, long availablePermissions, int effectiveBurstCapacity,
			long totalPermittedCalls, long totalRejectedCalls, long liveKeys, String backend,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Boolean backendAvailable, Map<String, Object> config) {
	}

}
