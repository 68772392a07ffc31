package dev.resilience.core;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Delivers one instance's events to its listeners, synchronously, on the thread that
 * caused them.
 * <p>
 * Costs nothing when nobody listens: publishers check {@link #hasListeners()} (one
 * volatile read) before they allocate an event. A listener that throws is logged at
 * {@code WARNING} through {@link System.Logger} and never fails the call nor stops the
 * other listeners.
 * <p>
 * Thread-safe; listeners may be added and removed while events are published (copy on
 * write).
 *
 * @param <E> the event type
 */
public final class EventPublisher<E> {

	private static final System.Logger logger = System.getLogger(EventPublisher.class.getName());

	private static final Consumer<?>[] NONE = new Consumer<?>[0];

	private final AtomicReference<Consumer<? super E>[]> listeners;

	/**
	 * Creates a publisher with no listeners.
	 */
	@SuppressWarnings("unchecked")
	public EventPublisher() {
		this.listeners = new AtomicReference<>((Consumer<? super E>[]) NONE);
	}

	/**
	 * Adds a listener.
	 * @param listener called with every event published from now on
	 * @return a subscription whose {@link Subscription#close()} removes the listener
	 */
	public Subscription onEvent(Consumer<? super E> listener) {
		Objects.requireNonNull(listener, "listener must not be null");
		this.listeners.updateAndGet((current) -> {
			Consumer<? super E>[] next = Arrays.copyOf(current, current.length + 1);
			next[current.length] = listener;
			return next;
		});
		return () -> remove(listener);
	}

	private void remove(Consumer<? super E> listener) {
		this.listeners.updateAndGet((current) -> {
			for (int i = 0; i < current.length; i++) {
				if (current[i] == listener) {
					Consumer<? super E>[] next = Arrays.copyOf(current, current.length - 1);
					System.arraycopy(current, i + 1, next, i, current.length - i - 1);
					return next;
				}
			}
			return current;
		});
	}

	/**
	 * Tells whether anyone listens; publishers call this before they create an event.
	 * @return {@code true} if at least one listener is registered
	 */
	public boolean hasListeners() {
		return this.listeners.get().length != 0;
	}

	/**
	 * Delivers the event to every listener in registration order.
	 * @param event the event
	 */
	public void publish(E event) {
		for (Consumer<? super E> listener : this.listeners.get()) {
			try {
				listener.accept(event);
			}
			catch (RuntimeException | Error ex) {
				if (ex instanceof VirtualMachineError error) {
					throw error;
				}
				logger.log(Level.WARNING, () -> "Event listener " + listener + " failed on " + event, ex);
			}
		}
	}

	/**
	 * A registered listener; closing it removes the listener. Closing twice is harmless.
	 */
	@FunctionalInterface
	public interface Subscription extends AutoCloseable {

		@Override
		void close();

	}

}
