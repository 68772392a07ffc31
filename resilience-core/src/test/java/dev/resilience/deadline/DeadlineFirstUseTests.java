package dev.resilience.deadline;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Until a deadline is first entered in the JVM, {@code Deadline.current()} answers
 * without its thread-local; from the first one on, every thread that enters a deadline
 * sees its own, and the others none. Run on a copy of the class in a class loader of its
 * own, where no deadline was ever entered (this JVM's other tests enter many).
 */
class DeadlineFirstUseTests {

	@Test
	void fromTheFirstDeadlineOnEachThreadSeesWhatItEntered() throws Exception {
		URL classes = Deadline.class.getProtectionDomain().getCodeSource().getLocation();
		try (URLClassLoader fresh = new URLClassLoader(new URL[] { classes }, ClassLoader.getPlatformClassLoader())) {
			Class<?> deadline = fresh.loadClass(Deadline.class.getName());
			assertThat(deadline).isNotSameAs(Deadline.class);
			Method current = deadline.getMethod("current");
			Method after = deadline.getMethod("after", Duration.class);
			Method enter = deadline.getMethod("enter", deadline);
			assertThat(current.invoke(null)).isNull();
			Object first = after.invoke(null, Duration.ofMinutes(1));
			// enter(null) is no deadline: nothing changes.
			try (AutoCloseable none = (AutoCloseable) enter.invoke(null, (Object) null)) {
				assertThat(current.invoke(null)).isNull();
			}
			AtomicReference<Object> seenElsewhere = new AtomicReference<>("not run");
			AtomicReference<Object> enteredElsewhere = new AtomicReference<>("not run");
			try (AutoCloseable scope = (AutoCloseable) enter.invoke(null, first)) {
				assertThat(current.invoke(null)).isSameAs(first);
				Thread other = new Thread(() -> {
					try {
						seenElsewhere.set(current.invoke(null));
						try (AutoCloseable carried = (AutoCloseable) enter.invoke(null, first)) {
							enteredElsewhere.set(current.invoke(null));
						}
					}
					catch (Exception ex) {
						seenElsewhere.set(ex);
					}
				});
				other.start();
				other.join();
			}
			assertThat(seenElsewhere.get()).as("another thread, before it enters one").isNull();
			assertThat(enteredElsewhere.get()).as("another thread it was carried to").isSameAs(first);
			assertThat(current.invoke(null)).as("after the scope").isNull();
		}
	}

}
