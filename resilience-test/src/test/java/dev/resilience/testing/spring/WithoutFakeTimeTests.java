package dev.resilience.testing.spring;

import dev.resilience.core.Scheduler;
import dev.resilience.core.Ticker;
import dev.resilience.testing.FakeTicker;
import dev.resilience.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without {@link ResilienceFakeTime}, the context keeps its own time.
 */
@SpringBootTest(classes = TestRegistries.class)
class WithoutFakeTimeTests {

	@Autowired
	private ApplicationContext context;

	@Test
	void theApplicationsOwnTickerAndSchedulerAreUsed() {
		assertThat(this.context.getBean(Ticker.class)).isSameAs(Ticker.system()).isNotInstanceOf(FakeTicker.class);
		assertThat(this.context.getBean(Scheduler.class)).isNotInstanceOf(ManualScheduler.class);
		assertThat(this.context.getBeansOfType(ManualScheduler.class)).isEmpty();
	}

}
