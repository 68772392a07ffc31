/**
 * Cluster-wide rate limiting on Redis: one budget shared by every instance of the
 * application, decided atomically by a Lua script on Redis's clock, with a failure policy
 * for when Redis is down or slow.
 */
@NullMarked
package dev.resilience.boot.redis;

import org.jspecify.annotations.NullMarked;
