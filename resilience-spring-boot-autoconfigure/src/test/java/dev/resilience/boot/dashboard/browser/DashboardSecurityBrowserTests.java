package dev.resilience.boot.dashboard.browser;

import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard with Spring Security on: the page reads (GETs are open) but an anonymous
 * action gets the 401 of the Actuator's access rules, shown on the page, and changes
 * nothing.
 */
@BrowserTest
@SpringBootTest(classes = SecuredDashboardApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "resilience.dashboard.enabled=true",
				"management.endpoints.web.exposure.include=resilience,circuitbreakers,health",
				"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
class DashboardSecurityBrowserTests {

	private static Chromium browser;

	@LocalServerPort
	private int port;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@BeforeAll
	static void startBrowser() {
		browser = Chromium.start("secured");
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	@Test
	void anAnonymousForceOpenShowsTheUnauthorizedAnswerAndChangesNothing() {
		browser.open("http://localhost:" + this.port + "/resilience/");
		String tile = Chromium.tile("circuitbreaker", "payments");
		browser.waitUntil(5, (d) -> "CLOSED".equals(browser.find(tile).getDomAttribute("data-state")));
		// From the keyboard: the buttons are real buttons.
		browser.find(tile + " button[data-action='force-open']").sendKeys(Keys.ENTER);
		browser.waitUntil(3, (d) -> "error".equals(browser.find("#action-result").getDomAttribute("data-outcome")));
		String result = browser.find("#action-result").getText();
		assertThat(result).contains("Force open circuit breaker payments")
			.contains("401 Unauthorized")
			.contains("The Actuator's access rules refused it")
			.contains("Nothing was changed");
		browser.screenshot("anonymous-force-open-401");
		assertThat(this.circuitBreakers.instance("payments").state()).isEqualTo(CircuitBreaker.State.CLOSED);
		browser.waitForNextUpdate();
		assertThat(browser.find(tile).getDomAttribute("data-state")).isEqualTo("CLOSED");
		// Still reading: a refused write does not break the page.
		assertThat(browser.find("#status").getDomAttribute("data-state")).isEqualTo("ok");
	}

}
