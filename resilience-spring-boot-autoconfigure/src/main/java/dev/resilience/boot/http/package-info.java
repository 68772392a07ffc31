/**
 * Policy sets for HTTP clients ({@code resilience.http.clients.*}): {@code RestClient},
 * {@code WebClient} and the HTTP interface clients built on them, with HTTP's outcome
 * classification, {@code Retry-After}, idempotency, per-host circuit breakers and the
 * outbound side of deadlines.
 */
@NullMarked
package dev.resilience.boot.http;

import org.jspecify.annotations.NullMarked;
