package dev.resilience.boot.http;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTests {

	private final Clock clock = Clock.fixed(Instant.parse("2026-12-01T19:00:00Z"), ZoneOffset.UTC);

	@Test
	void secondsAreReadOnA429OrA503() {
		assertThat(RetryAfter.nanos(503, "2", this.clock)).isEqualTo(TimeUnit.SECONDS.toNanos(2));
		assertThat(RetryAfter.nanos(429, " 7 ", this.clock)).isEqualTo(TimeUnit.SECONDS.toNanos(7));
	}

	@Test
	void anHttpDateIsMeasuredAgainstTheWallClock() {
		assertThat(RetryAfter.nanos(503, "Tue, 01 Dec 2026 19:00:30 GMT", this.clock))
			.isEqualTo(TimeUnit.SECONDS.toNanos(30));
	}

	@Test
	void aDateInThePastAMalformedValueOrAnotherStatusAskForNothing() {
		assertThat(RetryAfter.nanos(503, "Tue, 01 Dec 2026 18:00:00 GMT", this.clock)).isZero();
		assertThat(RetryAfter.nanos(503, "soon", this.clock)).isZero();
		assertThat(RetryAfter.nanos(503, "1.5", this.clock)).isZero();
		assertThat(RetryAfter.nanos(503, null, this.clock)).isZero();
		assertThat(RetryAfter.nanos(500, "2", this.clock)).isZero();
	}

}
