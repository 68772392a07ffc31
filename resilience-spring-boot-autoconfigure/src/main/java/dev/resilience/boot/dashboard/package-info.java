/**
 * Serving the live dashboard: a page from the starter's jar at
 * {@code resilience.dashboard.path} (default {@code /resilience}) when
 * {@code resilience.dashboard.enabled=true}.
 * <p>
 * The page lives where the Actuator endpoints live, so that it reads them from its own
 * origin: on the main server when the management port is the same (under the servlet
 * context path, {@code spring.mvc.servlet.path} or {@code spring.webflux.base-path}), on
 * the management server when {@code management.server.port} differs (under
 * {@code management.server.base-path}). It is served by a router function (Spring MVC or
 * WebFlux) from a fixed set of files read once at startup; anything else under the path
 * is a 404. The page carries no data: it polls the {@code resilience} endpoint and acts
 * through the existing write endpoints, so Actuator's exposure and access settings, and
 * Spring Security, apply to it unchanged.
 * <p>
 * Startup fails (through {@code ResilienceConfigurationException}) when the dashboard is
 * switched on but cannot work: the {@code resilience} endpoint not available over the
 * web, a path that cannot be served, a web application without Actuator.
 */
@NullMarked
package dev.resilience.boot.dashboard;

import org.jspecify.annotations.NullMarked;
