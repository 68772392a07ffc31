package dev.resilience.boot.dashboard.browser;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import dev.resilience.boot.dashboard.browser.DashboardTestApplication.PaymentClient;
import dev.resilience.boot.dashboard.browser.DashboardTestApplication.PublicApi;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
import dev.resilience.circuitbreaker.CircuitBreaker;
import dev.resilience.circuitbreaker.CircuitBreakerRegistry;
import dev.resilience.ratelimiter.RequestNotPermittedException;
import dev.resilience.retry.RetryRegistry;
import dev.resilience.timeout.TimeoutRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in headless Chromium against a Spring MVC application on a random port:
 * what it lists, how fast a breaker's trouble shows, its actions (through the Actuator
 * write operations, checked on the endpoints afterwards), the event feed and the search.
 * Screenshots of every step go to {@code target/dashboard-screenshots}.
 */
@BrowserTest
@SpringBootTest(classes = DashboardTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
		"resilience.dashboard.enabled=true",
		"management.endpoints.web.exposure.include=resilience,circuitbreakers,ratelimiters,bulkheads,timeouts,retries,health",
		"resilience.circuitbreaker.instances.payments.sliding-window-size=4",
		"resilience.circuitbreaker.instances.payments.minimum-number-of-calls=2",
		"resilience.circuitbreaker.instances.payments.failure-rate-threshold=50",
		"resilience.circuitbreaker.instances.payments.wait-duration-in-open-state=1h",
		// Two permits a minute: a third call within the minute is refused, until the
		// page raises the limit.
		"resilience.ratelimiter.instances.public-api.limit-for-period=2",
		"resilience.ratelimiter.instances.public-api.limit-refresh-period=1m",
		"resilience.ratelimiter.instances.public-api.timeout-duration=0",
		// No Redis runs here (Spring Data Redis is on the test class path for the
		// Redis backend's tests).
		"management.health.redis.enabled=false", "spring.main.banner-mode=off", "logging.level.root=warn" })
class DashboardBrowserTests {

	private static Chromium browser;

	@LocalServerPort
	private int port;

	@Autowired
	private CircuitBreakerRegistry circuitBreakers;

	@Autowired
	private RetryRegistry retries;

	@Autowired
	private BulkheadRegistry bulkheads;

	@Autowired
	private ThreadPoolBulkheadRegistry threadPoolBulkheads;

	@Autowired
	private TimeoutRegistry timeouts;

	@Autowired
	private PaymentClient payments;

	@Autowired
	private PublicApi publicApi;

	@BeforeAll
	static void startBrowser() {
		browser = Chromium.start("mvc");
	}

	@AfterAll
	static void stopBrowser() {
		if (browser != null) {
			browser.close();
		}
	}

	@BeforeEach
	void openTheDashboard() {
		this.circuitBreakers.all().forEach(CircuitBreaker::reset);
		browser.open("http://localhost:" + this.port + "/resilience/");
		// The first snapshot rendered (the status says Live as soon as it arrives, the
		// tiles come in the next animation frame).
		browser.waitUntil(5, (d) -> browser.updates() > 0);
		assertThat(browser.find("#status").getDomAttribute("data-state")).isEqualTo("ok");
	}

	@Test
	void thePageListsEveryInstanceAlsoThoseNeverCalled() {
		assertThat(browser.find("#status").getText()).isEqualTo("Live");
		assertThat(browser.find("#last-update").getText()).startsWith("Last update ");
		assertTiles("circuitbreaker", this.circuitBreakers.all().stream().map(CircuitBreaker::name));
		assertTiles("retry", this.retries.all().stream().map((r) -> r.name()));
		assertTiles("ratelimiter", Stream.of("public-api"));
		assertTiles("bulkhead", this.bulkheads.all().stream().map((b) -> b.name()));
		assertTiles("threadpoolbulkhead", this.threadPoolBulkheads.all().stream().map((b) -> b.name()));
		assertTiles("timeout", this.timeouts.all().stream().map((t) -> t.name()));
		// Never called, listed all the same, with its state in text.
		assertThat(browser.find(Chromium.tile("circuitbreaker", "inventory") + " .badge").getText())
			.isEqualTo("CLOSED");
		assertThat(browser.find(Chromium.tile("retry", "inventory")).isDisplayed()).isTrue();
		// Its chart says it had no calls, rather than a peak it never had.
		browser.waitUntil(3,
				(d) -> browser.find(Chromium.tile("circuitbreaker", "inventory") + " .peak")
					.getText()
					.startsWith("no calls in "));
		// Accessible: every control has a label or text, the live regions are polite, and
		// the Content-Security-Policy refused nothing.
		assertThat(browser.script("return [...document.querySelectorAll('input, select')]"
				+ ".filter((c) => c.labels.length === 0).map((c) => c.outerHTML);"))
			.asList()
			.isEmpty();
		assertThat(browser.script("return [...document.querySelectorAll('button')]"
				+ ".filter((b) => b.textContent.trim() === '').length;"))
			.isEqualTo(0L);
		assertThat(browser.find("#status").getDomAttribute("aria-live")).isEqualTo("polite");
		assertThat(browser.find("#action-result").getDomAttribute("aria-live")).isEqualTo("polite");
		assertThat(browser.stats().get("cspViolations")).isEqualTo(0L);
		browser.screenshot("every-instance");
	}

	private void assertTiles(String primitive, Stream<String> names) {
		List<String> expected = names.sorted().toList();
		assertThat(expected).isNotEmpty();
		List<String> shown = browser.findAll(".tile[data-primitive='" + primitive + "']")
			.stream()
			.map((tile) -> tile.getDomAttribute("data-name"))
			.sorted()
			.toList();
		assertThat(shown).as(primitive).isEqualTo(expected);
	}

	@Test
	void injectedFailuresTurnTheBreakerTileOpenWithinThreeSecondsAndCloseClosesIt() throws Exception {
		String tile = Chromium.tile("circuitbreaker", "payments");
		assertThat(browser.find(tile).getDomAttribute("data-state")).isEqualTo("CLOSED");
		browser.screenshot("payments-closed");
		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> this.payments.charge(true));
		}
		assertThat(this.circuitBreakers.instance("payments").state()).isEqualTo(CircuitBreaker.State.OPEN);
		browser.waitUntil(3, (d) -> "OPEN".equals(browser.find(tile).getDomAttribute("data-state")));
		assertThat(browser.find(tile + " .badge").getText()).isEqualTo("OPEN");
		assertThat(browser.find(tile + " .reason").getText()).contains("calls are rejected");
		assertThat(browser.find(tile + " [data-figure='halfOpen']").getText())
			.matches("(?s)Half-open in\\s+59 min \\d+ s");
		// Trouble first: the open breaker leads its group.
		assertThat(browser.find(".group[data-primitive='circuitbreaker'] .tile").getDomAttribute("data-name"))
			.isEqualTo("payments");
		browser.screenshot("payments-open");

		browser.find(tile + " button[data-action='close']").click();
		browser.waitUntil(3, (d) -> "ok".equals(browser.find("#action-result").getDomAttribute("data-outcome")));
		assertThat(browser.find("#action-result").getText()).contains("payments").contains("state CLOSED (was OPEN)");
		assertThat(JsonPath.<String>read(get("/actuator/circuitbreakers/payments").body(), "$.state"))
			.isEqualTo("CLOSED");
		browser.waitUntil(3, (d) -> "CLOSED".equals(browser.find(tile).getDomAttribute("data-state")));
		browser.screenshot("payments-closed-from-the-page");
	}

	@Test
	void aTileKeepsTheKeyboardFocusWhileTroubleWouldReorderItsGroup() {
		String first = ".group[data-primitive='circuitbreaker'] .tile";
		assertThat(browser.find(first).getDomAttribute("data-name")).isEqualTo("inventory");
		browser.script("arguments[0].focus();",
				browser.find(Chromium.tile("circuitbreaker", "inventory") + " button[data-action='force-open']"));
		this.circuitBreakers.instance("payments").transitionTo(CircuitBreaker.State.OPEN);
		String payments = Chromium.tile("circuitbreaker", "payments");
		browser.waitUntil(3, (d) -> "OPEN".equals(browser.find(payments).getDomAttribute("data-state")));
		browser.waitForNextUpdate();
		// Moving the tiles would take the focus away: the order waits.
		assertThat(browser.script("const focused = document.activeElement; const tile = focused.closest('.tile');"
				+ "return tile ? focused.dataset.action + ' ' + tile.dataset.name : 'focus on ' + focused.tagName;"))
			.isEqualTo("force-open inventory");
		assertThat(browser.find(first).getDomAttribute("data-name")).isEqualTo("inventory");
		browser.find("#search").click();
		browser.waitUntil(3, (d) -> "payments".equals(browser.find(first).getDomAttribute("data-name")));
	}

	@Test
	void theEventFeedShowsTheTransitionAndItsFilterKeepsOneInstance() {
		this.circuitBreakers.instance("payments").transitionTo(CircuitBreaker.State.OPEN);
		this.circuitBreakers.instance("inventory").transitionTo(CircuitBreaker.State.FORCED_OPEN);
		String paymentsOpened = "#event-list li[data-primitive='circuitbreaker'][data-name='payments'][data-type='STATE_TRANSITION']";
		browser.waitUntil(3,
				(d) -> browser.findAll(paymentsOpened)
					.stream()
					.anyMatch((li) -> li.getText().contains("CLOSED → OPEN")));
		browser.waitUntil(3, (d) -> !browser.findAll("#event-list li[data-name='inventory']").isEmpty());
		browser.screenshot("feed-all");

		new Select(browser.find("#event-filter")).selectByValue("circuitbreaker/payments");
		List<WebElement> shown = displayedEvents();
		assertThat(shown).isNotEmpty()
			.allSatisfy((li) -> assertThat(li.getDomAttribute("data-name")).isEqualTo("payments"));
		assertThat(shown).anySatisfy((li) -> assertThat(li.getText()).contains("CLOSED → OPEN"));
		browser.screenshot("feed-payments-only");

		new Select(browser.find("#event-filter")).selectByValue("circuitbreaker/inventory");
		assertThat(displayedEvents()).isNotEmpty()
			.allSatisfy((li) -> assertThat(li.getDomAttribute("data-name")).isEqualTo("inventory"));
	}

	private static List<WebElement> displayedEvents() {
		return browser.findAll("#event-list li").stream().filter(WebElement::isDisplayed).toList();
	}

	@Test
	void aRateLimitChangedOnThePageTakesEffect() throws Exception {
		assertThat(this.publicApi.call()).isEqualTo("ok");
		assertThat(this.publicApi.call()).isEqualTo("ok");
		assertThatExceptionOfType(RequestNotPermittedException.class).isThrownBy(this.publicApi::call);
		String tile = Chromium.tile("ratelimiter", "public-api");
		browser.waitUntil(3, (d) -> browser.find(tile + " [data-figure='limit']").getText().contains("2 per 1 min"));
		WebElement limit = browser.find(tile + " input[name='limitForPeriod']");
		limit.clear();
		limit.sendKeys("120");
		browser.screenshot("rate-limit-typed");
		limit.sendKeys(Keys.ENTER); // the form submits from the keyboard
		browser.waitUntil(3, (d) -> "ok".equals(browser.find("#action-result").getDomAttribute("data-outcome")));
		assertThat(browser.find("#action-result").getText()).contains("limitForPeriod 120 (was 2)");
		assertThat(JsonPath.<Integer>read(get("/actuator/ratelimiters/public-api").body(), "$.config.limitForPeriod"))
			.isEqualTo(120);
		browser.waitUntil(3, (d) -> browser.find(tile + " [data-figure='limit']").getText().contains("120 per 1 min"));
		browser.screenshot("rate-limit-changed");
		// Under the old limit (2 a minute, the bucket empty) a third call needs 30 s;
		// under the new one (2 a second) it is permitted within the second.
		// A bounded poll: the refill runs on the real clock.
		AtomicInteger permitted = new AtomicInteger();
		await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
			try {
				this.publicApi.call();
				permitted.incrementAndGet();
			}
			catch (RequestNotPermittedException ex) {
				// Not yet refilled: the next poll tries again.
			}
			return permitted.get() >= 3;
		});
		assertThat(permitted.get()).isEqualTo(3);
	}

	@Test
	void bulkheadSizesAndATimeoutChangedOnThePageReachTheEndpointsAndABadValueShowsThe400() throws Exception {
		submit(Chromium.tile("bulkhead", "recommendations"), Map.of("maxConcurrentCalls", "20"));
		assertThat(browser.find("#action-result").getText()).contains("maxConcurrentCalls 20");
		assertThat(JsonPath.<Integer>read(get("/actuator/bulkheads/recommendations").body(), "$.maxConcurrentCalls"))
			.isEqualTo(20);

		submit(Chromium.tile("threadpoolbulkhead", "reports"),
				Map.of("coreThreadPoolSize", "2", "maxThreadPoolSize", "3"));
		assertThat(browser.find("#action-result").getText()).contains("coreThreadPoolSize 2")
			.contains("maxThreadPoolSize 3");
		String reports = get("/actuator/bulkheads/reports").body();
		assertThat(JsonPath.<Integer>read(reports, "$.coreThreadPoolSize")).isEqualTo(2);
		assertThat(JsonPath.<Integer>read(reports, "$.maxThreadPoolSize")).isEqualTo(3);

		String timeout = Chromium.tile("timeout", "slow-report");
		submit(timeout, Map.of("timeoutDuration", "2s"));
		assertThat(browser.find("#action-result").getText()).contains("timeoutDuration PT2S (was PT1S)");
		assertThat(JsonPath.<String>read(get("/actuator/timeouts/slow-report").body(), "$.config.timeoutDuration"))
			.isEqualTo("PT2S");
		browser.waitUntil(3, (d) -> browser.find(timeout + " [data-figure='limit']").getText().contains("2 s"));
		browser.screenshot("sizes-and-timeout-changed");

		WebElement field = browser.find(timeout + " input[name='timeoutDuration']");
		field.clear();
		field.sendKeys("soon", Keys.ENTER);
		browser.waitUntil(3, (d) -> "error".equals(browser.find("#action-result").getDomAttribute("data-outcome")));
		assertThat(browser.find("#action-result").getText()).contains("400 Bad Request")
			.contains("timeoutDuration must be a duration");
		assertThat(JsonPath.<String>read(get("/actuator/timeouts/slow-report").body(), "$.config.timeoutDuration"))
			.isEqualTo("PT2S");
		browser.screenshot("bad-timeout-400");
	}

	private static void submit(String tile, Map<String, String> values) {
		values.forEach((name, value) -> {
			WebElement field = browser.find(tile + " input[name='" + name + "']");
			field.clear();
			field.sendKeys(value);
		});
		String before = browser.find("#action-result").getDomAttribute("data-sequence");
		browser.find(tile + " button[type='submit']").click();
		browser.waitUntil(3,
				(d) -> !String.valueOf(before).equals(browser.find("#action-result").getDomAttribute("data-sequence"))
						&& "ok".equals(browser.find("#action-result").getDomAttribute("data-outcome")));
	}

	@Test
	void searchFiltersTheTilesByNameAndCompactModeHidesTheDetails() {
		new Actions(browser.driver()).sendKeys("/").perform(); // the keyboard shortcut to
																// the search box
		assertThat(browser.driver().switchTo().activeElement().getDomAttribute("id")).isEqualTo("search");
		browser.driver().switchTo().activeElement().sendKeys("pay");
		List<WebElement> shown = browser.findAll(".tile").stream().filter(WebElement::isDisplayed).toList();
		assertThat(shown).isNotEmpty()
			.allSatisfy((tile) -> assertThat(tile.getDomAttribute("data-name")).contains("pay"));
		assertThat(browser.find(Chromium.tile("circuitbreaker", "inventory")).isDisplayed()).isFalse();
		assertThat(browser.find("#group-circuitbreaker").getText()).contains("1 of 2");
		browser.screenshot("search-pay");
		browser.find("#search").sendKeys(Keys.ESCAPE);
		assertThat(browser.find(Chromium.tile("circuitbreaker", "inventory")).isDisplayed()).isTrue();

		browser.find("#compact").click();
		assertThat(browser.find("body").getDomAttribute("class")).contains("compact");
		assertThat(browser.find(Chromium.tile("circuitbreaker", "payments") + " .tile-body").isDisplayed()).isFalse();
		assertThat(browser.find(Chromium.tile("circuitbreaker", "payments") + " .badge").getText()).isEqualTo("CLOSED");
		browser.screenshot("compact");
		browser.find("#compact").click();
		assertThat(browser.find(Chromium.tile("circuitbreaker", "payments") + " .tile-body").isDisplayed()).isTrue();
	}

	private HttpResponse<String> get(String path) throws Exception {
		HttpResponse<String> response = DashboardScenarios.get(this.port, path);
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response;
	}

}
