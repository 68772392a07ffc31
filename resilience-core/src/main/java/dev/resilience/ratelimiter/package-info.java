/**
 * The rate limiter: a token bucket refilled continuously, decided with one
 * compare-and-set ({@link dev.resilience.ratelimiter.RateLimiter},
 * {@link dev.resilience.ratelimiter.RateLimiterConfig},
 * {@link dev.resilience.ratelimiter.RateLimiterRegistry}).
 */
@NullMarked
package dev.resilience.ratelimiter;

import org.jspecify.annotations.NullMarked;
