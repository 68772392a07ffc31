/**
 * The annotations that apply the primitives to bean methods. They carry names only: the
 * named instances are configured in {@code application.yml} ({@code resilience.*}) and
 * applied by the Spring Boot starter's interceptor, in one documented order.
 */
@NullMarked
package dev.resilience.annotation;

import org.jspecify.annotations.NullMarked;
