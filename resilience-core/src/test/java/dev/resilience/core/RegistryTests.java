package dev.resilience.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.resilience.bulkhead.Bulkhead;
import dev.resilience.bulkhead.BulkheadConfig;
import dev.resilience.bulkhead.BulkheadRegistry;
import dev.resilience.bulkhead.ThreadPoolBulkhead;
import dev.resilience.bulkhead.ThreadPoolBulkheadConfig;
import dev.resilience.bulkhead.ThreadPoolBulkheadRegistry;
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
	void replaceConfigIfPresentReconfiguresTheRegisteredInstanceInPlace() {
		List<String> events = new ArrayList<>();
		Bulkhead db = this.registry.instance("db");
		this.registry.events().onEvent((event) -> events.add(event.type() + " " + event.instance().name()));
		BulkheadConfig four = BulkheadConfig.builder().maxConcurrentCalls(4).build();
		assertThat(this.registry.replaceConfigIfPresent("db", four)).containsSame(db);
		assertThat(db.config()).isSameAs(four);
		assertThat(this.registry.replaceConfigIfPresent("db", four)).as("the same configuration again")
			.containsSame(db);
		assertThat(events).containsExactly("REPLACED db");
	}

	@Test
	void replaceConfigIfPresentNeverCreates() {
		List<String> events = new ArrayList<>();
		this.registry.events().onEvent((event) -> events.add(event.type() + " " + event.instance().name()));
		assertThat(
				this.registry.replaceConfigIfPresent("missing", BulkheadConfig.builder().maxConcurrentCalls(4).build()))
			.isEmpty();
		assertThat(this.registry.find("missing")).isEmpty();
		assertThat(this.registry.all()).isEmpty();
		assertThat(events).isEmpty();
	}

	@Test
	void replaceConfigIfPresentAfterARemovalChangesNothing() {
		Bulkhead removed = this.registry.instance("db");
		BulkheadConfig before = removed.config();
		this.registry.remove("db");
		assertThat(this.registry.replaceConfigIfPresent("db", BulkheadConfig.builder().maxConcurrentCalls(4).build()))
			.isEmpty();
		assertThat(removed.config()).as("the removed instance is not changed").isSameAs(before);
		assertThat(this.registry.find("db")).as("nor is a new one made").isEmpty();
	}

	@Test
	void aReconfigurationThatTheInstanceRefusesChangesNothingAndPublishesNothing() {
		ThreadPoolBulkheadRegistry pools = ThreadPoolBulkheadRegistry.of(ThreadPoolBulkheadConfig.ofDefaults());
		try {
			ThreadPoolBulkhead reports = pools.instance("reports");
			List<String> events = new ArrayList<>();
			pools.events().onEvent((event) -> events.add(event.type() + " " + event.instance().name()));
			ThreadPoolBulkheadConfig otherQueue = ThreadPoolBulkheadConfig.from(reports.config())
				.queueCapacity(ThreadPoolBulkheadConfig.DEFAULT_QUEUE_CAPACITY + 1)
				.build();
			assertThatIllegalArgumentException().isThrownBy(() -> pools.replaceConfigIfPresent("reports", otherQueue))
				.withMessageContaining("queueCapacity of ThreadPoolBulkhead 'reports' cannot be changed at run time");
			assertThat(reports.config()).isSameAs(ThreadPoolBulkheadConfig.ofDefaults());
			assertThat(pools.find("reports")).containsSame(reports);
			assertThat(events).isEmpty();
		}
		finally {
			pools.close();
		}
	}

	@Test
	void updateIfPresentRunsOnlyOnARegisteredInstance() {
		Bulkhead db = this.registry.instance("db");
		List<Bulkhead> updated = new ArrayList<>();
		assertThat(this.registry.updateIfPresent("db", updated::add)).containsSame(db);
		assertThat(this.registry.updateIfPresent("missing", updated::add)).isEmpty();
		this.registry.remove("db");
		assertThat(this.registry.updateIfPresent("db", updated::add)).isEmpty();
		assertThat(updated).containsExactly(db);
		assertThat(this.registry.all()).isEmpty();
	}

	@Test
	void aRemovalWaitsForAnUpdateInProgressOnThatName() throws Exception {
		Bulkhead db = this.registry.instance("db");
		CompletableFuture<Optional<Bulkhead>> removal = new CompletableFuture<>();
		Thread remover = new Thread(() -> removal.complete(this.registry.remove("db")), "remover");
		Optional<Bulkhead> updated = this.registry.updateIfPresent("db", (instance) -> {
			remover.start();
			// The remover blocks on the name's entry; a real thread's state changes in
			// real time, so this is a bounded wait on that condition.
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
			while (remover.getState() != Thread.State.BLOCKED && !removal.isDone() && System.nanoTime() < deadline) {
				Thread.onSpinWait();
			}
			assertThat(removal).as("the removal finished while the update held the instance").isNotDone();
			assertThat(remover.getState()).isEqualTo(Thread.State.BLOCKED);
			assertThat(this.registry.find("db")).as("registered throughout the update").containsSame(instance);
		});
		assertThat(updated).containsSame(db);
		assertThat(removal).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(Optional.of(db));
		assertThat(this.registry.find("db")).isEmpty();
	}

	@Test
	void allListsInstancesByName() {
		this.registry.instance("b");
		this.registry.instance("a");
		assertThat(this.registry.all()).extracting(Bulkhead::name).containsExactly("a", "b");
	}

}
