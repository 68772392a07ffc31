package dev.resilience.boot.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.JarURLConnection;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

/**
 * A real Redis server for tests, on a free loopback port, with no persistence. It can be
 * killed and started again on the same port (an outage and a recovery).
 * <p>
 * The binary is {@code redis-server} from the {@code PATH} when there is one; otherwise
 * the one for this operating system and processor that the test dependency
 * {@code com.github.codemonstur:embedded-redis} ships inside its jar (Redis 6.2 for Linux
 * and macOS, amd64 and arm64), extracted once under {@code target/redis-server/}. Either
 * way this class starts it as a process of its own: nothing of that artifact but the
 * binary is used. When no server can be had, {@link #start()} throws with the reason (no
 * binary for this platform, or the process's exit code and output): a Redis test fails,
 * it is never skipped.
 */
final class RedisServer implements AutoCloseable {

	private static final String BINARY = "redis-server";

	// The artifact's pom.properties: found on the class path, it leads to the jar.
	private static final String ARTIFACT = "com.github.codemonstur:embedded-redis";

	private static final String ARTIFACT_MARKER = "META-INF/maven/com.github.codemonstur/embedded-redis/pom.properties";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

	private static Binary binary;

	private final int port;

	private final List<String> options;

	private Process process;

	private Path log;

	private RedisServer(int port, List<String> options) {
		this.port = port;
		this.options = List.copyOf(options);
	}

	/**
	 * Starts a server on a free port.
	 * @return the running server
	 * @throws IllegalStateException if no server could be started, saying why
	 */
	static RedisServer start() {
		return startOn(freePort());
	}

	/**
	 * Starts a server on a free port with more options.
	 * @param options {@code redis-server} options, such as {@code "--replicaof",
	 * "127.0.0.1 6379"} or {@code "--maxmemory", "10mb"}
	 * @return the running server
	 * @throws IllegalStateException if no server could be started, saying why
	 */
	static RedisServer startWith(String... options) {
		RedisServer server = new RedisServer(freePort(), List.of(options));
		server.startProcess();
		return server;
	}

	/**
	 * Starts a server on the given port.
	 * @param port a free loopback port
	 * @return the running server
	 * @throws IllegalStateException if no server could be started, saying why
	 */
	static RedisServer startOn(int port) {
		RedisServer server = new RedisServer(port, List.of());
		server.startProcess();
		return server;
	}

	int port() {
		return this.port;
	}

	/**
	 * Kills the server at once (an outage: no shutdown handshake).
	 */
	void kill() throws InterruptedException {
		Process running = this.process;
		if (running != null) {
			running.destroyForcibly();
			if (!running.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("redis-server (pid " + running.pid() + ") did not die within 10 s");
			}
			this.process = null;
		}
	}

	/**
	 * Starts the server again on the same port, empty.
	 */
	void restart() {
		startProcess();
	}

	private void startProcess() {
		Binary binary = binary();
		Path log = logFile();
		Process started;
		// Its files (a replica's sync writes one even without persistence) go under
		// target/, never into the module's directory.
		List<String> command = new ArrayList<>(List.of(binary.path().toString(), "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir",
				log.getParent().toAbsolutePath().toString(), "--dbfilename", "redis-" + this.port + ".rdb"));
		command.addAll(this.options);
		try {
			started = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + binary + ": " + ex.getMessage(), ex);
		}
		this.process = started;
		this.log = log;
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		// A bounded wait on real I/O: the server answers PING once it accepts commands.
		while (!ping()) {
			if (!started.isAlive()) {
				throw new IllegalStateException(binary + " exited with code " + started.exitValue()
						+ " instead of serving port " + this.port + "; its output:\n" + output());
			}
			if (System.nanoTime() - deadline > 0) {
				started.destroyForcibly();
				throw new IllegalStateException(binary + " did not answer PING on port " + this.port + " within "
						+ START_TIMEOUT.toSeconds() + " s; its output:\n" + output());
			}
			try {
				started.waitFor(20, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				started.destroyForcibly();
				throw new IllegalStateException("Interrupted while waiting for " + binary, ex);
			}
		}
	}

	private String output() {
		try {
			String text = Files.readString(this.log, StandardCharsets.UTF_8);
			return text.isBlank() ? "(none)" : text;
		}
		catch (IOException ex) {
			return "(unreadable: " + ex + ")";
		}
	}

	private boolean ping() {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
			socket.setSoTimeout(1_000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] answer = new byte[7];
			int read = in.read(answer);
			return read > 0 && new String(answer, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private Path logFile() {
		try {
			Path directory = Files.createDirectories(workDirectory());
			return Files.createTempFile(directory, "redis-" + this.port + "-", ".log");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create a log file for redis-server", ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free loopback port for redis-server", ex);
		}
	}

	@Override
	public void close() throws InterruptedException {
		kill();
	}

	/**
	 * Finds the binary once per test JVM: the {@code PATH}'s, else the artifact's.
	 */
	static synchronized Binary binary() {
		if (binary == null) {
			Path onPath = findOnPath();
			binary = (onPath != null) ? new Binary(onPath, "from the PATH") : extractFromArtifact();
			// Which server the Redis tests ran against belongs in the test output.
			System.out.println("Redis tests run " + binary);
		}
		return binary;
	}

	private static Path findOnPath() {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String directory : path.split(Pattern.quote(File.pathSeparator))) {
			if (directory.isEmpty()) {
				continue;
			}
			Path candidate = Path.of(directory, BINARY);
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	private static Binary extractFromArtifact() {
		String platform = platform();
		URL marker = RedisServer.class.getClassLoader().getResource(ARTIFACT_MARKER);
		if (marker == null) {
			throw new IllegalStateException("No " + BINARY + " on the PATH, and " + ARTIFACT
					+ " (a test dependency of this module) is not on the test class path");
		}
		try {
			JarURLConnection connection = (JarURLConnection) marker.openConnection();
			connection.setUseCaches(false);
			try (JarFile jar = connection.getJarFile()) {
				// Entries are named redis-server-<version>[-v<n>]-<os>-<arch>.
				Pattern name = Pattern.compile(Pattern.quote(BINARY) + "-[0-9][^/]*-" + Pattern.quote(platform));
				List<String> available = new ArrayList<>();
				JarEntry found = null;
				for (JarEntry entry : java.util.Collections.list(jar.entries())) {
					if (entry.getName().startsWith(BINARY + "-")) {
						available.add(entry.getName());
						if (name.matcher(entry.getName()).matches()) {
							found = entry;
						}
					}
				}
				if (found == null) {
					throw new IllegalStateException("No " + BINARY + " on the PATH, and " + ARTIFACT
							+ " has no binary for " + platform + " (os.name=" + System.getProperty("os.name")
							+ ", os.arch=" + System.getProperty("os.arch") + "); it has " + available
							+ ". Install redis-server on the PATH.");
				}
				return new Binary(extract(jar, found), "from " + ARTIFACT + " (" + found.getName() + ")");
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"No " + BINARY + " on the PATH, and extracting it from " + ARTIFACT + " (" + marker + ") failed",
					ex);
		}
	}

	private static Path extract(JarFile jar, JarEntry entry) throws IOException {
		Path directory = Files.createDirectories(workDirectory());
		Path target = directory.resolve(entry.getName());
		if (Files.isExecutable(target) && Files.size(target) == entry.getSize()) {
			return target;
		}
		// Written aside, then moved in place: a half-written binary is never run.
		Path partial = Files.createTempFile(directory, entry.getName(), ".partial");
		try (InputStream in = jar.getInputStream(entry)) {
			Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
		}
		if (!partial.toFile().setExecutable(true, true)) {
			throw new IOException("Could not make " + partial + " executable");
		}
		Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		return target;
	}

	/**
	 * Names this platform as the artifact does: {@code linux-amd64}, {@code linux-arm64},
	 * {@code darwin-amd64}, {@code darwin-arm64}, {@code linux-386}.
	 */
	private static String platform() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		String osName = os.contains("mac") || os.contains("darwin") ? "darwin" : os.contains("linux") ? "linux" : os;
		String archName = switch (arch) {
			case "amd64", "x86_64" -> "amd64";
			case "aarch64", "arm64" -> "arm64";
			case "x86", "i386", "i486", "i586", "i686" -> "386";
			default -> arch;
		};
		return osName + "-" + archName;
	}

	private static Path workDirectory() {
		// Surefire runs in the module's directory and sets basedir; target/ is cleaned by
		// 'mvn clean' and is never mounted noexec the way /tmp can be.
		return Path.of(System.getProperty("basedir", "."), "target", "redis-server");
	}

	/**
	 * The binary the tests run.
	 *
	 * @param path where it is
	 * @param origin where it came from
	 */
	record Binary(Path path, String origin) {

		@Override
		public String toString() {
			return BINARY + " " + this.path + " (" + this.origin + ")";
		}

	}

}
