package dev.resilience.boot.deadline;

import java.util.concurrent.TimeUnit;

import dev.resilience.annotation.Timeout;
import dev.resilience.deadline.DeadlineExceededException;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A dependency behind {@code @Timeout(name = "slow")} (5 s in the tests that use it) that
 * takes as long as it is told, and an endpoint that calls it in the request and answers
 * {@code <outcome>,<stage>,<elapsed ms>}: {@code ok,,...} when it returned,
 * {@code DeadlineExceededException,<stage>,...} when the deadline cut it, the exception's
 * simple name otherwise.
 */
@Configuration(proxyBeanMethods = false)
class SlowCalls {

	@Bean
	SlowDependency slowDependency() {
		return new SlowDependency();
	}

	static class SlowDependency {

		@Timeout(name = "slow")
		public String call(long millis) throws InterruptedException {
			// Stands for a dependency that answers late; interrupted when cut.
			TimeUnit.MILLISECONDS.sleep(millis);
			return "answered";
		}

	}

	// Registered as a member class of the configuration.
	@RestController
	static class SlowEndpoint {

		private final SlowDependency dependency;

		SlowEndpoint(SlowDependency dependency) {
			this.dependency = dependency;
		}

		@GetMapping("/deadline/slow")
		String slow(@RequestParam long millis) {
			long start = System.nanoTime();
			String outcome;
			try {
				this.dependency.call(millis);
				outcome = "ok,";
			}
			catch (DeadlineExceededException ex) {
				outcome = "DeadlineExceededException," + ex.stage().value();
			}
			catch (Exception ex) {
				outcome = ex.getClass().getSimpleName() + ",";
			}
			return outcome + "," + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		}

	}

}
