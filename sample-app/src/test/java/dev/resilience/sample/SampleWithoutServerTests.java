package dev.resilience.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's application.yml switches the dashboard on; a test without a web server
 * still starts, and the log says in one line that the dashboard is not served.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE,
		properties = { "spring.main.banner-mode=off", "logging.level.root=warn",
				"logging.level.dev.resilience.boot.dashboard=info" })
@ExtendWith(OutputCaptureExtension.class)
class SampleWithoutServerTests {

	@Autowired
	private ApplicationContext context;

	@Test
	void startsWithoutServingTheDashboard(CapturedOutput output) {
		assertThat(this.context.containsBean("resilienceDashboardSettings")).isFalse();
		assertThat(this.context.containsBean("resilienceDashboardRouter")).isFalse();
		assertThat(output.getAll()).contains("the resilience dashboard is not served")
			.contains("not a web application");
	}

}
