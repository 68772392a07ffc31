package dev.resilience.boot.health;

import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.boot.health.actuate.endpoint.StatusAggregator;
import org.springframework.boot.health.contributor.Status;

import static dev.resilience.boot.health.ResilienceStatus.BULKHEAD_FULL;
import static dev.resilience.boot.health.ResilienceStatus.CIRCUIT_HALF_OPEN;
import static dev.resilience.boot.health.ResilienceStatus.CIRCUIT_OPEN;
import static dev.resilience.boot.health.ResilienceStatus.RATE_LIMITED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.boot.health.contributor.Status.DOWN;
import static org.springframework.boot.health.contributor.Status.OUT_OF_SERVICE;
import static org.springframework.boot.health.contributor.Status.UNKNOWN;
import static org.springframework.boot.health.contributor.Status.UP;

class ResilienceStatusAggregatorTests {

	private final StatusAggregator aggregator = new ResilienceStatusAggregator(StatusAggregator.getDefault());

	@Test
	void springBootsDefaultAggregatorAloneWouldTurnOpenCircuitsUnknown() {
		// The trap this class exists for.
		assertThat(StatusAggregator.getDefault().getAggregateStatus(Set.of(CIRCUIT_OPEN))).isEqualTo(UNKNOWN);
	}

	@Test
	void informationalStatusesNeverMakeAnAggregateWorseThanUp() {
		assertThat(aggregate(UP, CIRCUIT_OPEN)).isEqualTo(UP);
		assertThat(aggregate(UP, CIRCUIT_OPEN, CIRCUIT_HALF_OPEN, RATE_LIMITED, BULKHEAD_FULL)).isEqualTo(UP);
	}

	@Test
	void anAggregateOfOnlyInformationalStatusesTakesTheMostTellingOne() {
		assertThat(aggregate(CIRCUIT_OPEN)).isEqualTo(CIRCUIT_OPEN);
		assertThat(aggregate(CIRCUIT_HALF_OPEN, CIRCUIT_OPEN)).isEqualTo(CIRCUIT_OPEN);
		assertThat(aggregate(CIRCUIT_HALF_OPEN)).isEqualTo(CIRCUIT_HALF_OPEN);
		assertThat(aggregate(BULKHEAD_FULL, RATE_LIMITED)).isEqualTo(RATE_LIMITED);
		assertThat(aggregate(BULKHEAD_FULL)).isEqualTo(BULKHEAD_FULL);
	}

	@Test
	void informationalStatusesRankBeforeUnknown() {
		assertThat(aggregate(UNKNOWN, CIRCUIT_OPEN)).isEqualTo(CIRCUIT_OPEN);
	}

	@Test
	void realProblemsStillWin() {
		assertThat(aggregate(DOWN, CIRCUIT_OPEN, UP)).isEqualTo(DOWN);
		assertThat(aggregate(OUT_OF_SERVICE, CIRCUIT_HALF_OPEN)).isEqualTo(OUT_OF_SERVICE);
	}

	@Test
	void withoutInformationalStatusesTheDelegateDecides() {
		assertThat(aggregate(UP, DOWN)).isEqualTo(DOWN);
		assertThat(aggregate(UP)).isEqualTo(UP);
		assertThat(aggregate(UNKNOWN)).isEqualTo(UNKNOWN);
	}

	@Test
	void aUserOrderWithoutTheResilienceStatusesStillNeverGivesUnknown() {
		StatusAggregator custom = new ResilienceStatusAggregator(StatusAggregator.of("DOWN", "DEGRADED", "UP"));
		assertThat(custom.getAggregateStatus(Set.of(CIRCUIT_OPEN))).isEqualTo(CIRCUIT_OPEN);
		assertThat(custom.getAggregateStatus(Set.of(new Status("DEGRADED"), CIRCUIT_OPEN)))
			.isEqualTo(new Status("DEGRADED"));
	}

	@Test
	void aUserOrderThatListsTheResilienceStatusesWins() {
		// Someone who wants open circuits to rank above UP can say so.
		StatusAggregator custom = new ResilienceStatusAggregator(
				StatusAggregator.of("DOWN", "CIRCUIT_OPEN", "UP", "UNKNOWN"));
		assertThat(custom.getAggregateStatus(Set.of(UP, CIRCUIT_OPEN))).isEqualTo(CIRCUIT_OPEN);
	}

	private Status aggregate(Status... statuses) {
		return this.aggregator.getAggregateStatus(statuses);
	}

}
