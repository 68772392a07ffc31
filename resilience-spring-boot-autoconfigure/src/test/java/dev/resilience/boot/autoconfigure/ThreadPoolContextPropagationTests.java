package dev.resilience.boot.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.resilience.annotation.Bulkhead;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The caller's thread-local context reaches a {@code @Bulkhead(type = THREAD_POOL)}
 * method, which runs on a pool thread: through Micrometer context-propagation (every
 * {@link ThreadLocalAccessor} registered with the global {@link ContextRegistry}: here
 * the MDC's, which the test registers, and Spring Security's, which Spring Security
 * registers itself) and through the application's {@link TaskDecorator} beans. A value is
 * never left behind for the next call on the same pool thread. Every pool here has one
 * thread, so consecutive calls run on the same thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ThreadPoolContextPropagationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final ThreadLocal<String> TENANT = new ThreadLocal<>();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ResilienceAutoConfiguration.class))
		.withPropertyValues("resilience.thread-pool-bulkhead.configs.default.core-thread-pool-size=1",
				"resilience.thread-pool-bulkhead.configs.default.max-thread-pool-size=1")
		.withBean(ContextService.class);

	@BeforeEach
	void registerTheMdcAccessor() {
		// context-propagation ships an MDC accessor but does not register it.
		ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
	}

	@AfterEach
	void cleanUp() {
		ContextRegistry.getInstance().removeThreadLocalAccessor(Slf4jThreadLocalAccessor.KEY);
		ContextRegistry.getInstance().removeThreadLocalAccessor(CountingAccessor.KEY);
		MDC.clear();
		TENANT.remove();
		SecurityContextHolder.clearContext();
	}

	@Test
	void theCallersMdcIsSeenByTheMethodAndNotLeftForTheNextCallOnThatThread() {
		this.contextRunner.run((context) -> {
			ContextService service = context.getBean(ContextService.class);
			MDC.put("requestId", "r-1");
			assertThat(service.mdc("requestId")).succeedsWithin(WAIT).isEqualTo("r-1");
			MDC.remove("requestId");
			assertThat(service.mdc("requestId")).as("the same pool thread, next call").succeedsWithin(WAIT).isNull();
			MDC.put("requestId", "r-2");
			assertThat(service.mdc("requestId")).succeedsWithin(WAIT).isEqualTo("r-2");
		});
	}

	@Test
	void aMonoMethodSeesTheMdcOfTheThreadThatSubscribes() {
		this.contextRunner.run((context) -> {
			ContextService service = context.getBean(ContextService.class);
			Mono<String> requestId = service.reactiveMdc("requestId");
			MDC.put("requestId", "r-mono");
			assertThat(requestId.block(WAIT)).isEqualTo("r-mono");
			MDC.remove("requestId");
			assertThat(requestId.map((value) -> "unexpected " + value).defaultIfEmpty("none").block(WAIT))
				.isEqualTo("none");
		});
	}

	@Test
	void theCallersSecurityContextIsSeenByTheMethod() {
		this.contextRunner.run((context) -> {
			ContextService service = context.getBean(ContextService.class);
			SecurityContextHolder.getContext()
				.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of()));
			assertThat(service.user()).succeedsWithin(WAIT).isEqualTo("alice");
			SecurityContextHolder.clearContext();
			assertThat(service.user()).as("the same pool thread, next call").succeedsWithin(WAIT).isEqualTo("nobody");
		});
	}

	@Test
	void aTaskDecoratorBeanOfTheApplicationWrapsEveryCall() {
		this.contextRunner.withUserConfiguration(TenantDecoratorConfiguration.class).run((context) -> {
			ContextService service = context.getBean(ContextService.class);
			TENANT.set("acme");
			assertThat(service.tenant()).succeedsWithin(WAIT).isEqualTo("acme");
			TENANT.remove();
			assertThat(service.tenant()).succeedsWithin(WAIT).isEqualTo("null");
		});
	}

	@Test
	void taskDecoratorBeansApplyInOrderInsideTheContextPropagation() {
		this.contextRunner.withUserConfiguration(OrderedDecoratorsConfiguration.class).run((context) -> {
			OrderedDecoratorsConfiguration decorators = context.getBean(OrderedDecoratorsConfiguration.class);
			MDC.put("requestId", "r-ordered");
			assertThat(context.getBean(ContextService.class).mdc("requestId")).succeedsWithin(WAIT)
				.isEqualTo("r-ordered");
			// The first decorates the call, the second decorates the first's task, so
			// on the pool thread the second runs first; both inside the propagated
			// context.
			assertThat(decorators.steps).containsExactly("decorate first", "decorate second",
					"run second with r-ordered", "run first with r-ordered");
		});
	}

	@Test
	void anApplicationsContextPropagatingTaskDecoratorReplacesOursRatherThanPropagatingTwice() {
		CountingAccessor counting = new CountingAccessor();
		ContextRegistry.getInstance().registerThreadLocalAccessor(counting);
		this.contextRunner.run((context) -> {
			CountingAccessor.VALUE.set("x");
			assertThat(context.getBean(ContextService.class).mdc("unused")).succeedsWithin(WAIT);
			assertThat(counting.sets).as("values set on the pool thread by our propagation").hasValue(1);
		});
		counting.sets.set(0);
		this.contextRunner
			.withBean("contextPropagatingTaskDecorator", ContextPropagatingTaskDecorator.class,
					ContextPropagatingTaskDecorator::new)
			.run((context) -> {
				CountingAccessor.VALUE.set("x");
				assertThat(context.getBean(ContextService.class).mdc("unused")).succeedsWithin(WAIT);
				assertThat(counting.sets).as("values set on the pool thread by the application's decorator alone")
					.hasValue(1);
			});
		CountingAccessor.VALUE.remove();
	}

	@Test
	@SuppressWarnings("unchecked")
	void withoutContextPropagationOnTheClassPathCallsWorkAndCarryNothing() throws Exception {
		// The starter's classes (and the service) are loaded again by a class loader
		// that cannot see Micrometer context-propagation, so a reference to it that
		// escaped the class-path check would fail here.
		ClassLoader without = new WithoutContextPropagationClassLoader(getClass().getClassLoader());
		assertThatExceptionOfType(ClassNotFoundException.class)
			.isThrownBy(() -> Class.forName("io.micrometer.context.ContextSnapshotFactory", false, without));
		Class<?> autoConfiguration = without.loadClass(ResilienceAutoConfiguration.class.getName());
		Class<Object> service = (Class<Object>) without.loadClass(MdcSupplier.class.getName());
		new ApplicationContextRunner().withClassLoader(without)
			.withUserConfiguration(autoConfiguration)
			.withBean("service", service)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MDC.put("requestId", "r-1");
				Supplier<CompletableFuture<String>> bean = (Supplier<CompletableFuture<String>>) context
					.getBean("service");
				assertThat(bean.get()).succeedsWithin(WAIT).isEqualTo("null on resilience-bulkhead-plain-1");
			});
		// The same service with context-propagation visible: the value is carried.
		new ApplicationContextRunner().withUserConfiguration(ResilienceAutoConfiguration.class)
			.withBean(MdcSupplier.class)
			.run((context) -> {
				MDC.put("requestId", "r-1");
				assertThat(context.getBean(MdcSupplier.class).get()).succeedsWithin(WAIT)
					.isEqualTo("r-1 on resilience-bulkhead-plain-1");
			});
	}

	static class ContextService {

		@Bulkhead(name = "context", type = Bulkhead.Type.THREAD_POOL)
		public CompletableFuture<String> mdc(String key) {
			return CompletableFuture.completedFuture(MDC.get(key));
		}

		@Bulkhead(name = "context", type = Bulkhead.Type.THREAD_POOL)
		public Mono<String> reactiveMdc(String key) {
			return Mono.fromCallable(() -> MDC.get(key));
		}

		@Bulkhead(name = "context", type = Bulkhead.Type.THREAD_POOL)
		public CompletableFuture<String> user() {
			Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
			return CompletableFuture.completedFuture((authentication != null) ? authentication.getName() : "nobody");
		}

		@Bulkhead(name = "context", type = Bulkhead.Type.THREAD_POOL)
		public CompletableFuture<String> tenant() {
			return CompletableFuture.completedFuture(String.valueOf(TENANT.get()));
		}

	}

	public static class MdcSupplier implements Supplier<CompletableFuture<String>> {

		@Override
		@Bulkhead(name = "plain", type = Bulkhead.Type.THREAD_POOL)
		public CompletableFuture<String> get() {
			return CompletableFuture.completedFuture(MDC.get("requestId") + " on " + Thread.currentThread().getName());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TenantDecoratorConfiguration {

		/** What an application writes for a thread-local of its own. */
		@Bean
		TaskDecorator tenantDecorator() {
			return (task) -> {
				String captured = TENANT.get();
				return () -> {
					String previous = TENANT.get();
					set(captured);
					try {
						task.run();
					}
					finally {
						set(previous);
					}
				};
			};
		}

		private static void set(String value) {
			if (value != null) {
				TENANT.set(value);
			}
			else {
				TENANT.remove();
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrderedDecoratorsConfiguration {

		final List<String> steps = new CopyOnWriteArrayList<>();

		@Bean
		@Order(2)
		TaskDecorator second() {
			return recording("second");
		}

		@Bean
		@Order(1)
		TaskDecorator first() {
			return recording("first");
		}

		private TaskDecorator recording(String name) {
			return (task) -> {
				this.steps.add("decorate " + name);
				return () -> {
					this.steps.add("run " + name + " with " + MDC.get("requestId"));
					task.run();
				};
			};
		}

	}

	/** Counts the values it is given on the pool thread. */
	static final class CountingAccessor implements ThreadLocalAccessor<String> {

		static final String KEY = "resilience.test.counting";

		static final ThreadLocal<String> VALUE = new ThreadLocal<>();

		final AtomicInteger sets = new AtomicInteger();

		@Override
		public Object key() {
			return KEY;
		}

		@Override
		public String getValue() {
			return VALUE.get();
		}

		@Override
		public void setValue(String value) {
			this.sets.incrementAndGet();
			VALUE.set(value);
		}

		@Override
		public void setValue() {
			VALUE.remove();
		}

	}

	/**
	 * Hides Micrometer context-propagation, and defines the starter's classes again so
	 * that they see it hidden; everything else comes from the parent.
	 */
	static final class WithoutContextPropagationClassLoader extends ClassLoader {

		WithoutContextPropagationClassLoader(ClassLoader parent) {
			super("without-context-propagation", parent);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			synchronized (getClassLoadingLock(name)) {
				if (name.startsWith("io.micrometer.context.")) {
					throw new ClassNotFoundException(name + " is hidden");
				}
				if (!name.startsWith("dev.resilience.boot.")) {
					return super.loadClass(name, resolve);
				}
				Class<?> loaded = findLoadedClass(name);
				if (loaded == null) {
					loaded = defineFromParent(name);
				}
				if (resolve) {
					resolveClass(loaded);
				}
				return loaded;
			}
		}

		private Class<?> defineFromParent(String name) throws ClassNotFoundException {
			try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
				if (in == null) {
					throw new ClassNotFoundException(name);
				}
				byte[] bytes = in.readAllBytes();
				return defineClass(name, bytes, 0, bytes.length);
			}
			catch (IOException ex) {
				throw new ClassNotFoundException(name, ex);
			}
		}

	}

}
