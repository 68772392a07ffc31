package dev.resilience.boot.deadline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.resilience.deadline.Deadline;
import dev.resilience.testing.FakeTicker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reading a request's budget from its headers: the formats, the smallest budget winning,
 * the default budget, and malformed values left out and reported.
 */
class InboundDeadlineHeadersTests {

	private static final List<String> DEFAULT_HEADERS = List.of("X-Request-Timeout-Ms", "grpc-timeout",
			"x-envoy-expected-rq-timeout-ms");

	private final FakeTicker ticker = new FakeTicker();

	private final List<Integer> malformed = new ArrayList<>();

	@ParameterizedTest
	@CsvSource({ "1H, 3600000000000", "2M, 120000000000", "3S, 3000000000", "250m, 250000000", "750u, 750000",
			"42n, 42", "0m, 0", "99999999n, 99999999", "00000300m, 300000000" })
	void readsEveryGrpcUnit(String value, long nanos) {
		assertThat(InboundDeadlineHeaders.parseGrpcTimeout(value)).isEqualTo(nanos);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "m", "S", "100", "100x", "100ms", "1.5S", "-1S", "+1S", " 1S", "1S ", "1s", "1h",
			"123456789m", "１S", "1 S", "0x1S" })
	void refusesMalformedGrpcTimeouts(String value) {
		assertThat(InboundDeadlineHeaders.parseGrpcTimeout(value)).isEqualTo(InboundDeadlineHeaders.MALFORMED);
	}

	@Test
	void saturatesAGrpcTimeoutTooLongForNanosecondsInsteadOfOverflowing() {
		// 99999999 hours is about 3.6e20 ns, beyond a long.
		assertThat(InboundDeadlineHeaders.parseGrpcTimeout("99999999H")).isEqualTo(InboundDeadlineHeaders.MAX_NANOS);
		assertThat(InboundDeadlineHeaders.parseGrpcTimeout("99999999M")).isEqualTo(InboundDeadlineHeaders.MAX_NANOS);
		assertThat(InboundDeadlineHeaders.parseGrpcTimeout("99999999S")).isEqualTo(99_999_999_000_000_000L);
	}

	@ParameterizedTest
	@CsvSource({ "0, 0", "1, 1000000", "300, 300000000", "0300, 300000000", "86400000, 86400000000000" })
	void readsWholeMilliseconds(String value, long nanos) {
		assertThat(InboundDeadlineHeaders.parseMillis(value)).isEqualTo(nanos);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "abc", "1.5", "-1", "+1", "1e3", " 300", "300 ", "300ms", "0x10", "３００" })
	void refusesMalformedMilliseconds(String value) {
		assertThat(InboundDeadlineHeaders.parseMillis(value)).isEqualTo(InboundDeadlineHeaders.MALFORMED);
	}

	@Test
	void saturatesMillisecondsTooLongForNanosecondsInsteadOfOverflowing() {
		assertThat(InboundDeadlineHeaders.parseMillis("9223372036854775807"))
			.isEqualTo(InboundDeadlineHeaders.MAX_NANOS);
		assertThat(InboundDeadlineHeaders.parseMillis("99999999999999999999999999999"))
			.isEqualTo(InboundDeadlineHeaders.MAX_NANOS);
		// The largest that fits is kept exactly.
		long largest = InboundDeadlineHeaders.MAX_NANOS / 1_000_000;
		assertThat(InboundDeadlineHeaders.parseMillis(Long.toString(largest))).isEqualTo(largest * 1_000_000);
		assertThat(InboundDeadlineHeaders.parseMillis(Long.toString(largest + 1)))
			.isEqualTo(InboundDeadlineHeaders.MAX_NANOS);
		// Digits after saturation are still checked.
		assertThat(InboundDeadlineHeaders.parseMillis("99999999999999999999x"))
			.isEqualTo(InboundDeadlineHeaders.MALFORMED);
	}

	@Test
	void theSmallestPresentBudgetWins() {
		InboundDeadlineHeaders headers = reader(DEFAULT_HEADERS, null);
		assertThat(remaining(headers,
				Map.of("X-Request-Timeout-Ms", "900", "grpc-timeout", "400m", "x-envoy-expected-rq-timeout-ms", "700")))
			.isEqualTo(Duration.ofMillis(400));
		assertThat(remaining(headers, Map.of("X-Request-Timeout-Ms", "300", "grpc-timeout", "1S")))
			.isEqualTo(Duration.ofMillis(300));
		assertThat(remaining(headers, Map.of("grpc-timeout", "2S", "x-envoy-expected-rq-timeout-ms", "150")))
			.isEqualTo(Duration.ofMillis(150));
	}

	@Test
	void aSaturatedBudgetLosesToAnySmallerOne() {
		InboundDeadlineHeaders headers = reader(DEFAULT_HEADERS, null);
		assertThat(remaining(headers, Map.of("X-Request-Timeout-Ms", "99999999999999999999", "grpc-timeout", "5S")))
			.isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void theBudgetIsMeasuredFromWhenTheRequestIsRead() {
		InboundDeadlineHeaders headers = reader(DEFAULT_HEADERS, null);
		Deadline deadline = headers.read(Map.of("X-Request-Timeout-Ms", "300"), Map::get);
		assertThat(deadline).isNotNull();
		this.ticker.advance(Duration.ofMillis(120));
		assertThat(deadline.remainingNanos()).isEqualTo(Duration.ofMillis(180).toNanos());
		this.ticker.advance(Duration.ofMillis(180));
		assertThat(deadline.isExpired()).isTrue();
	}

	@Test
	void aRequestWithoutAHeaderGetsTheDefaultBudgetOrNone() {
		assertThat(reader(DEFAULT_HEADERS, Duration.ofSeconds(2)).read(Map.<String, String>of(), Map::get)).isNotNull()
			.satisfies((deadline) -> assertThat(deadline.remainingNanos()).isEqualTo(2_000_000_000L));
		assertThat(reader(DEFAULT_HEADERS, null).read(Map.<String, String>of(), Map::get)).isNull();
	}

	@Test
	void aHeaderBudgetLongerThanTheDefaultBudgetStillWins() {
		InboundDeadlineHeaders headers = reader(DEFAULT_HEADERS, Duration.ofSeconds(2));
		assertThat(remaining(headers, Map.of("X-Request-Timeout-Ms", "5000"))).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void aZeroBudgetIsADeadlineAlreadyPassed() {
		Deadline deadline = reader(DEFAULT_HEADERS, null).read(Map.of("grpc-timeout", "0n"), Map::get);
		assertThat(deadline).isNotNull();
		assertThat(deadline.isExpired()).isTrue();
	}

	@Test
	void aMalformedHeaderIsLeftOutAndReportedAndTheOthersStillApply() {
		InboundDeadlineHeaders headers = reader(DEFAULT_HEADERS, Duration.ofSeconds(10));
		assertThat(remaining(headers, Map.of("X-Request-Timeout-Ms", "soon", "grpc-timeout", "800m")))
			.isEqualTo(Duration.ofMillis(800));
		assertThat(this.malformed).containsExactly(0);
		// Every header malformed: as without one, so the default budget.
		assertThat(remaining(headers, Map.of("grpc-timeout", "800ms", "x-envoy-expected-rq-timeout-ms", "-5")))
			.isEqualTo(Duration.ofSeconds(10));
		assertThat(this.malformed).containsExactly(0, 1, 2);
	}

	@Test
	void wellFormedHeadersReportNothing() {
		reader(DEFAULT_HEADERS, null).read(Map.of("X-Request-Timeout-Ms", "5", "grpc-timeout", "5m"), Map::get);
		assertThat(this.malformed).isEmpty();
	}

	@Test
	void grpcTimeoutIsReadInGrpcFormWhateverItsCaseAndOtherHeadersInMilliseconds() {
		InboundDeadlineHeaders headers = reader(List.of("Grpc-Timeout", "X-Budget"), null);
		assertThat(remaining(headers, Map.of("Grpc-Timeout", "3S"))).isEqualTo(Duration.ofSeconds(3));
		assertThat(remaining(headers, Map.of("X-Budget", "3"))).isEqualTo(Duration.ofMillis(3));
		headers.read(Map.of("X-Budget", "3S"), Map::get);
		assertThat(this.malformed).containsExactly(1);
	}

	@Test
	void onlyConfiguredHeadersAreRead() {
		InboundDeadlineHeaders headers = reader(List.of("X-Budget"), null);
		assertThat(headers.read(Map.of("X-Request-Timeout-Ms", "300"), Map::get)).isNull();
	}

	private InboundDeadlineHeaders reader(List<String> names, Duration defaultBudget) {
		return new InboundDeadlineHeaders(names, defaultBudget, this.ticker, this.malformed::add);
	}

	private static Duration remaining(InboundDeadlineHeaders headers, Map<String, String> values) {
		Deadline deadline = headers.read(new HashMap<>(values), Map::get);
		assertThat(deadline).isNotNull();
		return Duration.ofNanos(deadline.remainingNanos());
	}

}
