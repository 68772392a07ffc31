package dev.resilience.boot.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP server on loopback (the JDK's own), answering from a script and recording
 * what it received; the script's last answer repeats.
 */
final class TestServer implements AutoCloseable {

	private final HttpServer server;

	private final ExecutorService executor = Executors.newCachedThreadPool();

	private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();

	private volatile Answer last = new Answer(200, Map.of(), Duration.ZERO, "ok");

	private final List<Received> received = new CopyOnWriteArrayList<>();

	TestServer() {
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.server.setExecutor(this.executor);
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	/** Queues answers, in order; the last one repeats once the queue is empty. */
	TestServer answer(int status) {
		return answer(status, Map.of(), Duration.ZERO);
	}

	TestServer answer(int status, Map<String, String> headers, Duration delay) {
		Answer answer = new Answer(status, headers, delay, (status < 300) ? "ok" : "status " + status);
		this.script.add(answer);
		this.last = answer;
		return this;
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	String url(String path) {
		return url() + path;
	}

	List<Received> received() {
		return this.received;
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange; InputStream body = exchange.getRequestBody()) {
			body.readAllBytes();
			this.received
				.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
						exchange.getRequestHeaders()
							.entrySet()
							.stream()
							.collect(java.util.stream.Collectors.toMap(
									(e) -> e.getKey().toLowerCase(java.util.Locale.ROOT), (e) -> e.getValue().get(0))),
						System.nanoTime()));
			Answer answer = this.script.poll();
			if (answer == null) {
				answer = this.last;
			}
			if (!answer.delay().isZero()) {
				try {
					Thread.sleep(answer.delay().toMillis());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
			answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
			exchange.getResponseHeaders().add("Content-Type", "text/plain");
			byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(answer.status(), bytes.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(bytes);
			}
		}
		catch (IOException ex) {
			// The client gave up (a timeout, a deadline): nothing to answer.
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.executor.shutdownNow();
	}

	record Answer(int status, Map<String, String> headers, Duration delay, String body) {
	}

	/** What the server received. */
	record Received(String method, String path, Map<String, String> headers, long atNanos) {

		String header(String name) {
			return this.headers.get(name.toLowerCase(java.util.Locale.ROOT));
		}

	}

}
