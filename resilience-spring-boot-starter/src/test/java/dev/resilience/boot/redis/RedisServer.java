package dev.resilience.boot.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} for tests, on a free loopback port, with no persistence. It
 * can be stopped and started again on the same port (an outage and a recovery). The
 * binary comes from Debian's {@code redis-server} package, which {@code .ci/run}
 * installs.
 */
final class RedisServer implements AutoCloseable {

	private static final String BINARY = "redis-server";

	private final int port;

	private Process process;

	private RedisServer(int port) {
		this.port = port;
	}

	/**
	 * Starts a server on a free port.
	 * @return the running server
	 * @throws IOException if it cannot be started
	 */
	static RedisServer start() throws IOException {
		RedisServer server = new RedisServer(freePort());
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
		if (this.process != null) {
			this.process.destroyForcibly();
			this.process.waitFor(10, TimeUnit.SECONDS);
			this.process = null;
		}
	}

	/**
	 * Starts the server again on the same port, empty.
	 */
	void restart() throws IOException {
		startProcess();
	}

	private void startProcess() throws IOException {
		Process started;
		try {
			started = new ProcessBuilder(BINARY, "--port", Integer.toString(this.port), "--bind", "127.0.0.1", "--save",
					"", "--appendonly", "no", "--protected-mode", "no")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			// Only a machine without the binary skips; .ci/run installs it, so CI never
			// does.
			Assumptions.assumeTrue(false, "redis-server is not installed: " + ex.getMessage());
			throw ex;
		}
		this.process = started;
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (!ping()) {
			if (System.nanoTime() - deadline > 0 || !started.isAlive()) {
				started.destroyForcibly();
				throw new IOException("redis-server did not start on port " + this.port);
			}
			try {
				Thread.sleep(20);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
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

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() throws InterruptedException {
		kill();
	}

}
