package dev.resilience.boot.deadline;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.resilience.deadline.DeadlineMode;
import dev.resilience.deadline.DeadlineStage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The listeners told of each call that does not fit: the counter
 * {@code resilience.deadline.exceeded{stage,mode}} (and the malformed-header counter),
 * and the DEBUG log.
 */
class DeadlineListenersTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void countsEachCallThatDidNotFitByStageAndMode() {
		DeadlineMeters meters = new DeadlineMeters(List.of("X-Request-Timeout-Ms"), Map.of());
		meters.bindTo(this.registry);
		meters.exceeded(DeadlineStage.TIMEOUT, "payments", DeadlineMode.OBSERVE, 0);
		meters.exceeded(DeadlineStage.TIMEOUT, "orders", DeadlineMode.OBSERVE, 5);
		meters.exceeded(DeadlineStage.RATE_LIMITER, "payments", DeadlineMode.ENFORCE, 0);
		assertThat(exceeded("timeout", "observe")).isEqualTo(2);
		assertThat(exceeded("rate-limiter", "enforce")).isEqualTo(1);
		assertThat(exceeded("timeout", "enforce")).isZero();
		assertThat(exceeded("rate-limiter", "observe")).isZero();
	}

	@Test
	void everyStageAndModeHasItsSeriesFromTheStartAtZero() {
		new DeadlineMeters(List.of(), Map.of()).bindTo(this.registry);
		for (DeadlineStage stage : DeadlineStage.values()) {
			for (String mode : List.of("observe", "enforce")) {
				assertThat(exceeded(stage.value(), mode)).as(stage + " " + mode).isZero();
			}
		}
		assertThat(this.registry.find(DeadlineMeters.EXCEEDED).counters()).hasSize(DeadlineStage.values().length * 2);
	}

	@Test
	void countsInEveryRegistryItIsBoundTo() {
		SimpleMeterRegistry other = new SimpleMeterRegistry();
		DeadlineMeters meters = new DeadlineMeters(List.of(), Map.of());
		meters.bindTo(this.registry);
		meters.bindTo(other);
		meters.exceeded(DeadlineStage.CALL, "payments", DeadlineMode.ENFORCE, 0);
		assertThat(exceeded("call", "enforce")).isEqualTo(1);
		assertThat(other.get(DeadlineMeters.EXCEEDED).tag("stage", "call").tag("mode", "enforce").counter().count())
			.isEqualTo(1);
	}

	@Test
	void carriesTheExtraTags() {
		new DeadlineMeters(List.of("X-Budget"), Map.of("region", "eu")).bindTo(this.registry);
		assertThat(this.registry.get(DeadlineMeters.EXCEEDED).tag("region", "eu").counters()).isNotEmpty();
		assertThat(this.registry.get(DeadlineMeters.MALFORMED).tag("region", "eu").tag("header", "X-Budget").counter())
			.isNotNull();
	}

	@Test
	void countsMalformedHeadersByHeader() {
		DeadlineMeters meters = new DeadlineMeters(List.of("X-Request-Timeout-Ms", "grpc-timeout"), Map.of());
		meters.bindTo(this.registry);
		meters.malformed(1);
		meters.malformed(1);
		assertThat(malformed("grpc-timeout")).isEqualTo(2);
		assertThat(malformed("X-Request-Timeout-Ms")).isZero();
	}

	@Test
	void logsAtDebugWhatWasCutAndWhatWouldHaveBeen() {
		RecordingLog log = new RecordingLog(true);
		DeadlineLog listener = new DeadlineLog(log.log());
		listener.exceeded(DeadlineStage.TIMEOUT, "payments", DeadlineMode.OBSERVE, 2_000_000);
		listener.exceeded(DeadlineStage.RETRY, "orders", DeadlineMode.ENFORCE, 0);
		assertThat(log.messages).containsExactly(
				"Would have cut (observe mode) a call at timeout 'payments': PT0.002S left of the request's deadline",
				"Cut a call at retry 'orders': PT0S left of the request's deadline");
	}

	@Test
	void buildsNoMessageUnlessDebugIsOn() {
		RecordingLog log = new RecordingLog(false);
		new DeadlineLog(log.log()).exceeded(DeadlineStage.TIMEOUT, "payments", DeadlineMode.OBSERVE, 0);
		assertThat(log.messages).isEmpty();
		assertThat(log.debugChecks).isEqualTo(1);
	}

	@Test
	void logsOnTheDeadlineLogger() {
		assertThat(DeadlineLog.LOGGER_NAME).isEqualTo("dev.resilience.deadline");
	}

	private double exceeded(String stage, String mode) {
		Counter counter = this.registry.get(DeadlineMeters.EXCEEDED).tag("stage", stage).tag("mode", mode).counter();
		return counter.count();
	}

	private double malformed(String header) {
		return this.registry.get(DeadlineMeters.MALFORMED).tag("header", header).counter().count();
	}

	/**
	 * A log that keeps its DEBUG messages, with DEBUG on or off.
	 */
	private static final class RecordingLog implements InvocationHandler {

		private final boolean debug;

		private final List<String> messages = new ArrayList<>();

		private int debugChecks;

		RecordingLog(boolean debug) {
			this.debug = debug;
		}

		Log log() {
			return (Log) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Log.class }, this);
		}

		@Override
		public Object invoke(Object proxy, Method method, Object[] args) {
			switch (method.getName()) {
				case "isDebugEnabled" -> {
					this.debugChecks++;
					return this.debug;
				}
				case "debug" -> {
					this.messages.add(String.valueOf(args[0]));
					return null;
				}
				default -> {
					return (method.getReturnType() == boolean.class) ? false : null;
				}
			}
		}

	}

}
