/**
 * Load shedding at the door ({@code resilience.shedding.*}): a servlet filter and a
 * WebFlux filter that bound the inbound requests in flight with one adaptive limit shared
 * by priority partitions, and reject the excess with {@code 503} and {@code Retry-After}
 * before any controller work; its health contributor and meters.
 */
@NullMarked
package dev.resilience.boot.shedding;

import org.jspecify.annotations.NullMarked;
