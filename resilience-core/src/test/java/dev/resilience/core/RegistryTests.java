package dev.resilience.core;

import java.util.ArrayList;
import java.util.List;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The shared registry behaviour, through one concrete registry.
 */
class RegistryTests {

	private final BulkheadRegistry registry = BulkheadRegistry.of(BulkheadConfig.ofDefaults());

	@Test
	void instanceIsCreatedOnceAndSharedByName() {
		Bulkhead first = this.registry.instance("db");
		assertThat(this.registry.instance("db")).isSameAs(first);
		assertThat(this.registry.instance("db", BulkheadConfig.builder().maxConcurrentCalls(1).build()))
			.as("an existing instance keeps its own configuration")
			.isSameAs(first);
		assertThat(first.config().maxConcurrentCalls()).isEqualTo(BulkheadConfig.DEFAULT_MAX_CONCURRENT_CALLS);
	}

	@Test
	void findNeverCreates() {
		assertThat(this.registry.find("missing")).isEmpty();
		assertThat(this.registry.all()).isEmpty();
	}

	@Test
	void namedConfigurationsAreUsedAndUnknownOnesRejected() {
		this.registry.addConfig("small", BulkheadConfig.builder().maxConcurrentCalls(2).build());
		assertThat(this.registry.instance("db", "small").config().maxConcurrentCalls()).isEqualTo(2);
		assertThatIllegalArgumentException().isThrownBy(() -> this.registry.instance("x", "nope"))
			.withMessageContaining("No configuration named 'nope'")
			.withMessageContaining("small");
	}

	@Test
	void replacingTheDefaultConfigurationAppliesToNewInstances() {
		this.registry.addConfig(Registry.DEFAULT_CONFIG, BulkheadConfig.builder().maxConcurrentCalls(3).build());
		assertThat(this.registry.instance("new").config().maxConcurrentCalls()).isEqualTo(3);
	}

	@Test
	void publishesAddedReplacedAndRemoved() {
		List<String> events = new ArrayList<>();
		this.registry.events().onEvent((event) -> events.add(event.type() + " " + event.instance().name()));
		Bulkhead db = this.registry.instance("db");
		this.registry.instance("db");
		Bulkhead replaced = this.registry.replaceConfig("db", BulkheadConfig.builder().maxConcurrentCalls(4).build());
		assertThat(replaced).as("reconfigured in place").isSameAs(db);
		assertThat(db.config().maxConcurrentCalls()).isEqualTo(4);
		assertThat(this.registry.remove("db")).contains(db);
		assertThat(this.registry.remove("db")).isEmpty();
		assertThat(events).containsExactly("ADDED db", "REPLACED db", "REMOVED db");
	}

	@Test
	void replaceConfigCreatesAMissingInstanceWithThatConfiguration() {
		Bulkhead created = this.registry.replaceConfig("fresh", BulkheadConfig.builder().maxConcurrentCalls(6).build());
		assertThat(created.config().maxConcurrentCalls()).isEqualTo(6);
		assertThat(this.registry.find("fresh")).contains(created);
	}

	@Test
	void allListsInstancesByName() {
		this.registry.instance("b");
		this.registry.instance("a");
		assertThat(this.registry.all()).extracting(Bulkhead::name).containsExactly("a", "b");
	}

}
