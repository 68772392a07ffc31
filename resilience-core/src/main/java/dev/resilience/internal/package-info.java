/**
 * The primitives' shared implementation: setting validation, bounded per-key state,
 * cancellable asynchronous stages, rate-limited warnings. Not API: these types may change
 * in any release, and the module's {@code Automatic-Module-Name} is the only promise
 * about the package.
 */
@NullMarked
package dev.resilience.internal;

import org.jspecify.annotations.NullMarked;
