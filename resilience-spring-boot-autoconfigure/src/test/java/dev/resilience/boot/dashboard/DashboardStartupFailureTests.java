package dev.resilience.boot.dashboard;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A dashboard that cannot work stops a real application's startup with the failure
 * analysis that names the property and the value and says what to do.
 */
@ExtendWith(OutputCaptureExtension.class)
@Tag("slow")
class DashboardStartupFailureTests {

	@Test
	void reportsAnUnexposedEndpointWithWhatToDo(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--resilience.dashboard.enabled=true"));
		assertThat(output.getAll()).contains("APPLICATION FAILED TO START")
			.contains("Invalid resilience configuration: resilience.dashboard.enabled: the dashboard is switched on but"
					+ " the 'resilience' Actuator endpoint, which it reads, is not exposed over the web")
			.contains("Add resilience to management.endpoints.web.exposure.include");
	}

	@Test
	void reportsABadPathWithItsValue(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run("--resilience.dashboard.enabled=true",
				"--resilience.dashboard.path=/ops/*", "--management.endpoints.web.exposure.include=resilience"));
		assertThat(output.getAll()).contains(
				"Invalid resilience configuration: resilience.dashboard.path: invalid value '/ops/*': it contains '*'")
			.contains("Set resilience.dashboard.path to a path such as /resilience");
	}

	private static void run(String... args) {
		SpringApplication application = new SpringApplication(DashboardTestApplication.class);
		application.setWebApplicationType(WebApplicationType.SERVLET);
		String[] all = new String[args.length + 4];
		System.arraycopy(args, 0, all, 0, args.length);
		all[args.length] = "--server.port=0";
		all[args.length + 1] = "--management.health.redis.enabled=false";
		all[args.length + 2] = "--spring.main.banner-mode=off";
		all[args.length + 3] = "--logging.level.root=warn";
		application.run(all).close();
	}

}
