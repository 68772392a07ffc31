package dev.resilience.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An order service whose payment, inventory, recommendation and shipping dependencies are
 * served by a flaky downstream in the same application ({@code /downstream/**}), so that
 * the demo needs nothing else running. Faults are injected at run time with
 * {@code POST /downstream/faults}.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
