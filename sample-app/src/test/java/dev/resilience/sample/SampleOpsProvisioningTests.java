package dev.resilience.sample;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application's Prometheus and Grafana ({@code sample-app/ops/compose.yaml})
 * mount files that exist, the repository's own dashboard and alert rules among them, and
 * point at each other and at the application as it is configured: the provisioned
 * dashboard folder is where the dashboard is mounted, the rule files are where the rules
 * are mounted, the scrape target is the application's port and Actuator path, and the
 * application publishes the label and the histogram the dashboard reads.
 */
class SampleOpsProvisioningTests {

	// Maven runs the tests in the module's directory.
	private static final Path MODULE = Path.of("").toAbsolutePath();

	private static final Path OPS = MODULE.resolve("ops");

	private static final Path REPOSITORY = MODULE.getParent();

	@Test
	void everyFileTheComposeFileMountsExistsAndTheDashboardAndTheRulesAreTheRepositorys() throws IOException {
		Map<String, Path> mounts = mounts();
		assertThat(mounts).isNotEmpty();
		mounts.forEach((target, source) -> assertThat(source).as(target).exists());
		assertThat(mounts).containsEntry("/var/lib/grafana/dashboards/resilience-dashboard.json",
				REPOSITORY.resolve("ops/grafana/resilience-dashboard.json"));
		assertThat(mounts).containsEntry("/etc/prometheus/rules/resilience-alerts.yml",
				REPOSITORY.resolve("ops/prometheus/resilience-alerts.yml"));
	}

	@Test
	void grafanaProvisionsTheMountedDashboardFolderAndThePrometheusOfTheComposeFile() throws IOException {
		Map<String, Path> mounts = mounts();
		Path provisioning = mounts.get("/etc/grafana/provisioning/dashboards");
		List<Map<String, Object>> providers = list(yaml(provisioning.resolve("resilience.yml")), "providers");
		assertThat(providers).hasSize(1);
		String folder = (String) map(providers.get(0), "options").get("path");
		assertThat(mounts).containsKey(folder + "/resilience-dashboard.json");

		Path datasources = mounts.get("/etc/grafana/provisioning/datasources");
		List<Map<String, Object>> sources = list(yaml(datasources.resolve("prometheus.yml")), "datasources");
		assertThat(sources).singleElement().satisfies((source) -> {
			assertThat(source).containsEntry("type", "prometheus").containsEntry("isDefault", true);
			URI url = URI.create((String) source.get("url"));
			assertThat(services()).containsKey(url.getHost());
			assertThat(ports(url.getHost())).contains(url.getPort() + ":" + url.getPort());
		});
	}

	@Test
	void prometheusLoadsTheMountedRulesAndScrapesTheApplicationWhereItListens() throws IOException {
		Map<String, Path> mounts = mounts();
		Map<String, Object> prometheus = yaml(mounts.get("/etc/prometheus/prometheus.yml"));
		@SuppressWarnings("unchecked")
		List<String> ruleFiles = (List<String>) prometheus.get("rule_files");
		assertThat(ruleFiles).isNotEmpty().allSatisfy((file) -> assertThat(mounts).containsKey(file));

		Map<String, Object> application = yaml(MODULE.resolve("src/main/resources/application.yml"));
		Map<String, Object> scrape = list(prometheus, "scrape_configs").get(0);
		assertThat(scrape).containsEntry("metrics_path", "/actuator/prometheus");
		@SuppressWarnings("unchecked")
		List<String> targets = (List<String>) list(scrape, "static_configs").get(0).get("targets");
		assertThat(targets).containsExactly("host.docker.internal:" + map(application, "server").get("port"));
		assertThat(
				(String) map(map(map(map(application, "management"), "endpoints"), "web"), "exposure").get("include"))
			.contains("prometheus");
	}

	@Test
	void theApplicationPublishesTheLabelAndTheHistogramTheDashboardReads() throws IOException {
		Map<String, Object> metrics = map(map(yaml(MODULE.resolve("src/main/resources/application.yml")), "management"),
				"metrics");
		assertThat(map(metrics, "tags")).containsEntry("application", "${spring.application.name}");
		assertThat(map(map(metrics, "distribution"), "percentiles-histogram")).containsEntry("resilience.call", true);
	}

	/** Container path to host path of every volume of every service. */
	private static Map<String, Path> mounts() throws IOException {
		Map<String, Path> mounts = new LinkedHashMap<>();
		for (Map.Entry<String, Object> service : services().entrySet()) {
			@SuppressWarnings("unchecked")
			List<String> volumes = (List<String>) ((Map<String, Object>) service.getValue()).getOrDefault("volumes",
					List.of());
			for (String volume : volumes) {
				String[] parts = volume.split(":");
				assertThat(parts[0]).as("a bind mount of a file of the repository").startsWith(".");
				mounts.put(parts[1], OPS.resolve(parts[0]).normalize());
			}
		}
		return mounts;
	}

	private static Map<String, Object> services() throws IOException {
		return map(yaml(OPS.resolve("compose.yaml")), "services");
	}

	@SuppressWarnings("unchecked")
	private static List<String> ports(String service) throws IOException {
		return (List<String>) ((Map<String, Object>) services().get(service)).get("ports");
	}

	private static Map<String, Object> yaml(Path file) throws IOException {
		return new Yaml().load(Files.readString(file, StandardCharsets.UTF_8));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Map<String, Object> map, String key) {
		Object value = map.get(key);
		assertThat(value).as(key).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<Map<String, Object>> list(Map<String, Object> map, String key) {
		Object value = map.get(key);
		assertThat(value).as(key).isInstanceOf(List.class);
		return new ArrayList<>((List<Map<String, Object>>) value);
	}

}
