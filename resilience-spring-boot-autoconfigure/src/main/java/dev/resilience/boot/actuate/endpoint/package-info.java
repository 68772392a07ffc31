/**
 * Actuator endpoints for resilience: {@code circuitbreakers}, {@code retries},
 * {@code ratelimiters}, {@code bulkheads} and {@code timeouts} show every instance with
 * its live figures and configuration and change states and limits at run time;
 * {@code resilienceevents} shows the recent events of every instance.
 * <p>
 * Applied only when Spring Boot Actuator is on the class path; each endpoint exists only
 * when it is available (exposed through {@code management.endpoints.web.exposure.include}
 * and not switched off with {@code management.endpoint.<id>.access}).
 */
@NullMarked
package dev.resilience.boot.actuate.endpoint;

import org.jspecify.annotations.NullMarked;
