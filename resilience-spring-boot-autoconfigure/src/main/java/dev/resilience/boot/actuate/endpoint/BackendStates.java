package dev.resilience.boot.actuate.endpoint;

import java.util.Locale;

import dev.resilience.boot.autoconfigure.BackendState;
import dev.resilience.ratelimiter.RateLimiter;
import org.jspecify.annotations.Nullable;

/**
 * Where a rate limiter's buckets live, as the {@code ratelimiters} and {@code resilience}
 * endpoints show it: {@code local} unless the limiter tells its {@link BackendState}.
 */
final class BackendStates {

	/** The backend of a limiter whose buckets are in this JVM. */
	static final String LOCAL = "local";

	private BackendStates() {
	}

	/**
	 * Returns the kind of store behind a limiter.
	 * @param limiter the limiter
	 * @return {@code local}, or the backend's name ({@code redis})
	 */
	static String backend(RateLimiter limiter) {
		return (limiter instanceof BackendState state) ? state.backend() : LOCAL;
	}

	/**
	 * Tells whether the store behind a limiter answered its last request.
	 * @param limiter the limiter
	 * @return the answer, or {@code null} for a local limiter
	 */
	static @Nullable Boolean backendAvailable(RateLimiter limiter) {
		return (limiter instanceof BackendState state) ? state.backendAvailable() : null;
	}

	/**
	 * Returns what a limiter does while its store does not answer, as the property spells
	 * it.
	 * @param limiter the limiter
	 * @return {@code allow} or {@code deny}, or {@code null} for a local limiter
	 */
	static @Nullable String onBackendFailure(RateLimiter limiter) {
		return (limiter instanceof BackendState state) ? state.onBackendFailure().name().toLowerCase(Locale.ROOT)
				: null;
	}

}
