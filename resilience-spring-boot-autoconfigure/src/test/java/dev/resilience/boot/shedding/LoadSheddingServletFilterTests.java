package dev.resilience.boot.shedding;

import java.util.List;
import java.util.Map;

import dev.resilience.boot.autoconfigure.ResilienceProperties;
import dev.resilience.limit.PartitionedLimiter;
import jakarta.servlet.FilterChain;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link LoadSheddingServletFilter} on mock requests: the first matching partition in
 * configured order wins (path, header, attribute), else {@code default}; a rejected
 * request gets {@code 503} and {@code Retry-After} and the chain never runs; the Actuator
 * base path, after the context path, is neither shed nor counted.
 */
class LoadSheddingServletFilterTests {

	private final PinnedLimit limit = new PinnedLimit(2);

	private final PartitionedLimiter limiter = PartitionedLimiter.builder(this.limit)
		.partition("payments", 0.2)
		.partition("critical", 0.3)
		.build();

	private final LoadSheddingServletFilter filter = new LoadSheddingServletFilter(this.limiter,
			SheddingSettings.of(shedding(partitions())), "/actuator");

	private static Map<String, ResilienceProperties.SheddingPartition> partitions() {
		Map<String, ResilienceProperties.SheddingPartition> partitions = new java.util.LinkedHashMap<>();
		partitions.put("payments",
				new ResilienceProperties.SheddingPartition(0.2, List.of("path:/orders/*/pay", "header:X-Pay=yes")));
		partitions.put("critical", new ResilienceProperties.SheddingPartition(0.3,
				List.of("path:/orders/**", "attribute:priority=critical")));
		return partitions;
	}

	private static ResilienceProperties.Shedding shedding(Map<String, ResilienceProperties.SheddingPartition> p) {
		return new ResilienceProperties.Shedding(true, null, null, null, null, null, null, null, null, null, null, null,
				java.time.Duration.ofSeconds(1), java.time.Duration.ZERO, p);
	}

	@Test
	void theFirstMatchingPartitionInConfiguredOrderWinsElseDefault() throws Exception {
		assertThat(partitionOf(request("/orders/7/pay"))).isEqualTo("payments");
		assertThat(partitionOf(request("/orders/7"))).isEqualTo("critical");
		MockHttpServletRequest header = request("/orders/7");
		header.addHeader("X-Pay", "yes");
		assertThat(partitionOf(header)).isEqualTo("payments");
		MockHttpServletRequest attribute = request("/cheap");
		attribute.setAttribute("priority", "critical");
		assertThat(partitionOf(attribute)).isEqualTo("critical");
		MockHttpServletRequest otherValue = request("/cheap");
		otherValue.addHeader("X-Pay", "no");
		otherValue.setAttribute("priority", "low");
		assertThat(partitionOf(otherValue)).isEqualTo("default");
		MockHttpServletRequest withContext = request("/shop/orders/7");
		withContext.setContextPath("/shop");
		assertThat(partitionOf(withContext)).isEqualTo("critical");
	}

	@Test
	void aRejectedRequestGets503WithRetryAfterAndTheChainNeverRuns() throws Exception {
		assertThat(this.limiter.tryAcquire(0)).isTrue();
		assertThat(this.limiter.tryAcquire(0)).isTrue();
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();
		this.filter.doFilter(request("/cheap"), response, chain);
		assertThat(response.getStatus()).isEqualTo(503);
		assertThat(response.getHeader("Retry-After")).isEqualTo("1");
		assertThat(response.getContentAsString()).startsWith("Service Unavailable");
		assertThat(chain.getRequest()).isNull();
		assertThat(this.limiter.rejected(0)).isEqualTo(1);
	}

	@Test
	void theActuatorBasePathIsNeitherShedNorCounted() throws Exception {
		assertThat(this.limiter.tryAcquire(0)).isTrue();
		assertThat(this.limiter.tryAcquire(0)).isTrue();
		for (String path : List.of("/actuator", "/actuator/health", "/shop/actuator/health/liveness")) {
			MockHttpServletRequest request = request(path);
			if (path.startsWith("/shop")) {
				request.setContextPath("/shop");
			}
			MockHttpServletResponse response = new MockHttpServletResponse();
			MockFilterChain chain = new MockFilterChain();
			this.filter.doFilter(request, response, chain);
			assertThat(response.getStatus()).as(path).isEqualTo(200);
			assertThat(chain.getRequest()).as(path).isNotNull();
		}
		assertThat(this.limiter.rejected()).isZero();
		assertThat(this.limit.samples.get()).isZero();
		// Not a prefix of a longer name.
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.filter.doFilter(request("/actuators"), response, new MockFilterChain());
		assertThat(response.getStatus()).isEqualTo(503);
	}

	@Test
	void anExceptionIsSampledAsADropAndThePlaceComesBack() {
		FilterChain failing = (request, response) -> {
			throw new IllegalStateException("boom");
		};
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> this.filter.doFilter(request("/cheap"), new MockHttpServletResponse(), failing));
		assertThat(this.limit.drops.get()).isEqualTo(1);
		assertThat(this.limiter.inFlight()).isZero();
	}

	private String partitionOf(MockHttpServletRequest request) throws Exception {
		String[] seen = new String[1];
		FilterChain chain = (req, res) -> {
			for (int i = 0; i < this.limiter.partitionCount(); i++) {
				if (this.limiter.inFlight(i) == 1) {
					seen[0] = this.limiter.partitionName(i);
				}
			}
		};
		this.filter.doFilter(request, new MockHttpServletResponse(), chain);
		return seen[0];
	}

	private static MockHttpServletRequest request(String uri) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", uri);
		return request;
	}

}
