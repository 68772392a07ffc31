/**
 * Deadlines that travel with a request: {@link dev.resilience.deadline.Deadline}, the
 * point in time by which the current request must be answered, and
 * {@link dev.resilience.deadline.DeadlineExceededException}, the rejection of a call
 * whose budget is gone.
 */
@NullMarked
package dev.resilience.deadline;

import org.jspecify.annotations.NullMarked;
