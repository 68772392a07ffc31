package dev.resilience.bulkhead;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class ThreadPoolBulkheadConfigTests {

	@Test
	void defaultsFollowTheProcessorCount() {
		int processors = Runtime.getRuntime().availableProcessors();
		ThreadPoolBulkheadConfig config = ThreadPoolBulkheadConfig.ofDefaults();
		assertThat(config.coreThreadPoolSize()).isEqualTo(Math.max(1, processors - 1));
		assertThat(config.maxThreadPoolSize()).isEqualTo(processors);
		assertThat(config.queueCapacity()).isEqualTo(100);
		assertThat(config.keepAliveDuration()).isEqualTo(Duration.ofMillis(20));
	}

	@Test
	void builderSetsEverySettingAndFromInherits() {
		ThreadPoolBulkheadConfig base = ThreadPoolBulkheadConfig.builder()
			.coreThreadPoolSize(2)
			.maxThreadPoolSize(3)
			.queueCapacity(0)
			.keepAliveDuration(Duration.ZERO)
			.build();
		assertThat(base.coreThreadPoolSize()).isEqualTo(2);
		assertThat(base.maxThreadPoolSize()).isEqualTo(3);
		assertThat(base.queueCapacity()).isZero();
		assertThat(base.keepAliveDuration()).isZero();
		ThreadPoolBulkheadConfig derived = ThreadPoolBulkheadConfig.from(base).maxThreadPoolSize(5).build();
		assertThat(derived.coreThreadPoolSize()).isEqualTo(2);
		assertThat(derived.maxThreadPoolSize()).isEqualTo(5);
		assertThat(derived.queueCapacity()).isZero();
		assertThat(derived.keepAliveDuration()).isZero();
	}

	@Test
	void rejectsOutOfRangeSettingsNamingTheSettingAndTheValue() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(0).build())
			.withMessage("coreThreadPoolSize must be at least 1 but was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ThreadPoolBulkheadConfig.builder().maxThreadPoolSize(0).build())
			.withMessage("maxThreadPoolSize must be at least 1 but was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ThreadPoolBulkheadConfig.builder().queueCapacity(-1).build())
			.withMessage("queueCapacity must be at least 0 but was -1");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ThreadPoolBulkheadConfig.builder().keepAliveDuration(Duration.ofMillis(-1)).build())
			.withMessage("keepAliveDuration must not be negative but was PT-0.001S");
		assertThatNullPointerException()
			.isThrownBy(() -> ThreadPoolBulkheadConfig.builder().keepAliveDuration(null).build())
			.withMessage("keepAliveDuration must not be null");
	}

	@Test
	void rejectsACoreSizeAboveTheMaximum() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ThreadPoolBulkheadConfig.builder().coreThreadPoolSize(3).maxThreadPoolSize(2).build())
			.withMessage("coreThreadPoolSize must not exceed maxThreadPoolSize (2) but was 3");
	}

	@Test
	void toStringListsTheSettings() {
		assertThat(ThreadPoolBulkheadConfig.builder()
			.coreThreadPoolSize(1)
			.maxThreadPoolSize(2)
			.queueCapacity(3)
			.keepAliveDuration(Duration.ofMillis(4))
			.build()).hasToString(
					"ThreadPoolBulkheadConfig[coreThreadPoolSize=1, maxThreadPoolSize=2, queueCapacity=3, keepAliveDuration=PT0.004S]");
	}

	@Test
	void keepAliveDurationIsAtMostOneDayNamingTheValueAndTheMaximum() {
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> ThreadPoolBulkheadConfig.builder().keepAliveDuration(Duration.ofDays(99999999999L)).build())
			.withMessage("keepAliveDuration must be at most PT24H but was PT2399999999976H");
		assertThat(ThreadPoolBulkheadConfig.MAX_KEEP_ALIVE_DURATION).isEqualTo(Duration.ofDays(1));
		assertThat(ThreadPoolBulkheadConfig.builder().keepAliveDuration(Duration.ofDays(1)).build().keepAliveDuration())
			.isEqualTo(Duration.ofDays(1));
	}

}
