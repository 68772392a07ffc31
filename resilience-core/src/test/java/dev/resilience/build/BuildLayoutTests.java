package dev.resilience.build;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build's POMs agree with each other: the BOM and resilience-parent manage every
 * published module (a module that ships sources and Javadoc), and name one formatter
 * version. Run from resilience-core, the first module with tests, on the POMs of the
 * checkout.
 */
class BuildLayoutTests {

	private static final Path ROOT = Path.of("..");

	@Test
	void theBomManagesEveryPublishedModule() throws Exception {
		assertThat(managedResilienceArtifacts(pom("resilience-bom/pom.xml"))).isEqualTo(publishedModules());
	}

	@Test
	void theParentManagesTheSameArtifactsAsTheBom() throws Exception {
		assertThat(managedResilienceArtifacts(pom("pom.xml")))
			.isEqualTo(managedResilienceArtifacts(pom("resilience-bom/pom.xml")));
	}

	@Test
	void theBomNamesTheFormatterVersionOfTheParent() throws Exception {
		Element parentProperties = child(pom("pom.xml").getDocumentElement(), "properties");
		String parentVersion = text(child(parentProperties, "spring-javaformat.version"));
		List<String> bomVersions = new ArrayList<>();
		NodeList plugins = pom("resilience-bom/pom.xml").getElementsByTagName("plugin");
		for (int i = 0; i < plugins.getLength(); i++) {
			Element plugin = (Element) plugins.item(i);
			if (text(child(plugin, "artifactId")).equals("spring-javaformat-maven-plugin")) {
				bomVersions.add(text(child(plugin, "version")));
			}
		}
		assertThat(bomVersions).containsExactly(parentVersion);
	}

	/** The artifactIds of the parent's modules that ship sources and Javadoc. */
	private static Set<String> publishedModules() throws Exception {
		Set<String> published = new LinkedHashSet<>();
		Element modules = child(pom("pom.xml").getDocumentElement(), "modules");
		for (Element module : children(modules, "module")) {
			Document pom = pom(text(module) + "/pom.xml");
			Element project = pom.getDocumentElement();
			String packaging = (child(project, "packaging") != null) ? text(child(project, "packaging")) : "jar";
			Element properties = child(project, "properties");
			boolean skipsSources = properties != null && child(properties, "maven.source.skip") != null
					&& text(child(properties, "maven.source.skip")).equals("true");
			if (packaging.equals("jar") && !skipsSources) {
				published.add(text(child(project, "artifactId")));
			}
		}
		assertThat(published).as("published modules").contains("resilience-core");
		return published;
	}

	private static Set<String> managedResilienceArtifacts(Document pom) {
		Set<String> managed = new LinkedHashSet<>();
		Element management = child(pom.getDocumentElement(), "dependencyManagement");
		for (Element dependency : children(child(management, "dependencies"), "dependency")) {
			if (text(child(dependency, "groupId")).equals("dev.resilience")) {
				managed.add(text(child(dependency, "artifactId")));
			}
		}
		return managed;
	}

	private static Document pom(String path) throws Exception {
		Path file = ROOT.resolve(path);
		assertThat(file).as("the POM %s", path).exists();
		try (var in = Files.newInputStream(file)) {
			return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
		}
	}

	private static Element child(Element parent, String name) {
		for (Element element : children(parent, name)) {
			return element;
		}
		return null;
	}

	private static List<Element> children(Element parent, String name) {
		List<Element> found = new ArrayList<>();
		for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
			if (node instanceof Element element && element.getTagName().equals(name)) {
				found.add(element);
			}
		}
		return found;
	}

	private static String text(Element element) {
		return element.getTextContent().trim();
	}

}
