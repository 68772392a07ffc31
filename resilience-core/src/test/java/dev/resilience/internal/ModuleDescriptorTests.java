package dev.resilience.internal;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core's module descriptor, read from the compiled classes: every API package is
 * exported, the internal helpers only to resilience's own modules.
 */
class ModuleDescriptorTests {

	private static ModuleDescriptor descriptor() {
		// The tests run on the class path (see the pom), so the descriptor is read from
		// the
		// compiled main classes rather than from a resolved module layer.
		return ModuleFinder.of(Path.of("target/classes"))
			.find("dev.resilience.core")
			.orElseThrow(() -> new AssertionError("no module dev.resilience.core in target/classes"))
			.descriptor();
	}

	@Test
	void everyApiPackageIsExportedToEveryone() {
		ModuleDescriptor descriptor = descriptor();
		Set<String> unqualified = descriptor.exports()
			.stream()
			.filter((exports) -> !exports.isQualified())
			.map(Exports::source)
			.collect(Collectors.toSet());
		Set<String> api = descriptor.packages()
			.stream()
			.filter((pkg) -> !pkg.equals("dev.resilience.internal"))
			.collect(Collectors.toSet());
		assertThat(unqualified).isEqualTo(api);
	}

	@Test
	void internalHelpersAreExportedOnlyToResiliencesOwnModules() {
		Map<String, Set<String>> qualified = descriptor().exports()
			.stream()
			.filter(Exports::isQualified)
			.collect(Collectors.toMap(Exports::source, Exports::targets));
		assertThat(qualified).containsOnlyKeys("dev.resilience.internal");
		assertThat(qualified.get("dev.resilience.internal")).allMatch((target) -> target.startsWith("dev.resilience."));
	}

	@Test
	void jspecifyIsNeededOnlyAtCompileTime() {
		assertThat(descriptor().requires()).filteredOn((requires) -> requires.name().equals("org.jspecify"))
			.singleElement()
			.satisfies(
					(requires) -> assertThat(requires.modifiers()).contains(ModuleDescriptor.Requires.Modifier.STATIC));
	}

}
