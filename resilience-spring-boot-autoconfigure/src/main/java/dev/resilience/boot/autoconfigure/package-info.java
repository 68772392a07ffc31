/**
 * Auto-configuration of resilience: {@code resilience.*} properties, their resolution
 * into core configurations (with {@code base-config} inheritance and
 * {@link dev.resilience.boot.autoconfigure.ConfigCustomizer customizers}), the
 * registries, and the startup failure analysis.
 */
@NullMarked
package dev.resilience.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
