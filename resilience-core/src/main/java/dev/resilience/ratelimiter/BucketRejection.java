package dev.resilience.ratelimiter;

import org.jspecify.annotations.Nullable;

/*
 * Design: one per bucket (an instance's, or a key's), made on the bucket's first rejection
 * and thrown by every later one that asks for as many permits, from any number of threads
 * at once: it holds nothing of a call but the permit count (final), and Throwable's
 * mutable parts are off (no stack trace, no suppression, its cause fixed at null). The
 * retry-after hint cannot be a field of a shared object, so it is read from the bucket
 * when asked: the same formula as the decision, as of the moment of the question.
 */
/**
 * The in-memory limiter's rejection: its {@link #retryAfterNanos()} is read from the
 * bucket when called.
 */
final class BucketRejection extends RequestNotPermittedException {

	// Not serialized: a deserialized copy answers 0 (unknown).
	private final transient @Nullable DefaultRateLimiter bucket;

	final int permits;

	BucketRejection(DefaultRateLimiter bucket, int permits) {
		super(bucket.name(), 0);
		this.bucket = bucket;
		this.permits = permits;
	}

	@Override
	public long retryAfterNanos() {
		DefaultRateLimiter bucket = this.bucket;
		return (bucket != null) ? bucket.nanosUntil(this.permits) : 0;
	}

}
