package dev.resilience.internal;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.core.KeyEvaluationException;
import dev.resilience.core.KeySelector;
import dev.resilience.ratelimiter.RateLimiter;
import org.jspecify.annotations.Nullable;

/**
 * The per-key look-up that every execution path shares (the pipeline's stages and the
 * Reactor operators): a call's key is computed once, before any stage runs, and picks the
 * key's rate limiter or bulkhead, or the shared instance for a {@code null} key.
 * <p>
 * For the primitives and the integration modules; not meant for application code.
 * Stateless and thread-safe.
 */
public final class PerKeyInstances {

	private PerKeyInstances() {
	}

	/**
	 * Describes a rate limiter for the message of a key that cannot be computed; meant to
	 * be called once, when a pipeline is built.
	 * @param rateLimiter the rate limiter
	 * @return for example {@code rate limiter 'backend'}
	 */
	public static String describe(RateLimiter rateLimiter) {
		return "rate limiter '" + rateLimiter.name() + "'";
	}

	/**
	 * Describes a bulkhead for the message of a key that cannot be computed; meant to be
	 * called once, when a pipeline is built.
	 * @param bulkhead the bulkhead
	 * @return for example {@code bulkhead 'backend'}
	 */
	public static String describe(Bulkhead bulkhead) {
		return "bulkhead '" + bulkhead.name() + "'";
	}

	/**
	 * Computes a call's key.
	 * @param keys the selector, or {@code null} if the instance is not used per key
	 * @param context the call's context, given to the selector
	 * @param of what the key is for (see {@code describe}), for the message
	 * @return the key, or {@code null} for the shared instance
	 * @throws KeyEvaluationException if the selector throws (its cause what it threw):
	 * the caller's error, which no stage may count, retry or fall back from
	 */
	public static @Nullable Object key(@Nullable KeySelector keys, Object context, String of) {
		if (keys == null) {
			return null;
		}
		try {
			return keys.key(context);
		}
		catch (KeyEvaluationException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new KeyEvaluationException("The key of the " + of + " could not be computed for this call: " + ex,
					ex);
		}
	}

	/**
	 * Returns the rate limiter of a key.
	 * @param shared the instance
	 * @param key the call's key, or {@code null}
	 * @return the key's limiter, or {@code shared} for a {@code null} key
	 */
	public static RateLimiter rateLimiter(RateLimiter shared, @Nullable Object key) {
		return (key != null) ? shared.forKey(key) : shared;
	}

	/**
	 * Returns the bulkhead of a key. The caller releases the place on the bulkhead it got
	 * here, never looking it up again: the key's bulkhead may have been forgotten and
	 * recreated meanwhile.
	 * @param shared the instance
	 * @param key the call's key, or {@code null}
	 * @return the key's bulkhead, or {@code shared} for a {@code null} key
	 */
	public static Bulkhead bulkhead(Bulkhead shared, @Nullable Object key) {
		return (key != null) ? shared.forKey(key) : shared;
	}

}
