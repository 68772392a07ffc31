package dev.resilience.boot.deadline;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.resilience.deadline.Deadline;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The application behind the inbound deadline tests over HTTP: every auto-configuration,
 * Spring Security (on the test class path) letting every request through, and endpoints
 * that answer with what is left of the request's deadline where they run, in whole
 * milliseconds ({@code none} without one), with the thread's name after an {@code @}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableAsync
class DeadlineTestApplication {

	static final String ASYNC_DISPATCH_HEADER = "X-Async-Dispatch-Remaining";

	static String remaining() {
		return Deadline.remaining().map((left) -> Long.toString(left.toMillis())).orElse("none");
	}

	static String remainingHere() {
		return remaining() + "@" + Thread.currentThread().getName();
	}

	static boolean isVirtual(Thread thread) {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(thread);
		}
		catch (ReflectiveOperationException ex) {
			// Before Java 21 there are no virtual threads.
			return false;
		}
	}

	@Service
	static class AsyncDeadlines {

		@Async
		CompletableFuture<String> remaining() {
			return CompletableFuture
				.completedFuture(remainingHere() + (isVirtual(Thread.currentThread()) ? " virtual" : ""));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class ServletSide {

		@Bean
		SecurityFilterChain openToAll(HttpSecurity http) throws Exception {
			return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

		/**
		 * Tells, on each ASYNC dispatch, what is left of the deadline there, in a
		 * response header.
		 */
		@Bean
		FilterRegistrationBean<Filter> asyncDispatchRecorder() {
			FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new Filter() {

				@Override
				public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
						throws IOException, ServletException {
					((HttpServletResponse) response).setHeader(ASYNC_DISPATCH_HEADER, remaining());
					chain.doFilter(request, response);
				}

			});
			registration.setDispatcherTypes(DispatcherType.ASYNC);
			registration.setOrder(0);
			return registration;
		}

		@RestController
		static class ServletDeadlines {

			private final AsyncDeadlines async;

			ServletDeadlines(AsyncDeadlines async) {
				this.async = async;
			}

			@GetMapping("/deadline")
			String deadline() {
				return remainingHere();
			}

			@GetMapping("/deadline/async")
			String async() throws Exception {
				return this.async.remaining().get(10, TimeUnit.SECONDS);
			}

			@GetMapping("/deadline/callable")
			Callable<String> callable() {
				return DeadlineTestApplication::remainingHere;
			}

			@GetMapping("/deadline/deferred")
			DeferredResult<String> deferred() {
				DeferredResult<String> result = new DeferredResult<>(10_000L);
				// Set by a thread of its own, which has no deadline.
				new Thread(() -> result.setResult(remainingHere()), "deferred-setter").start();
				return result;
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
	static class ReactiveSide {

		@Bean
		SecurityWebFilterChain openToAll(ServerHttpSecurity http) {
			return http.authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll())
				.csrf((csrf) -> csrf.disable())
				.build();
		}

		@RestController
		static class ReactiveDeadlines {

			/**
			 * Answers {@code <in the Reactor Context>,<current in the handler>,<current
			 * after a hop to another scheduler>}.
			 */
			@GetMapping("/deadline")
			Mono<String> deadline() {
				String inHandler = remaining();
				return Mono.just(inHandler)
					.publishOn(Schedulers.parallel())
					.map((handler) -> handler + "," + remainingHere())
					.flatMap((both) -> Mono.deferContextual((context) -> Mono.just(fromContext(context) + "," + both)));
			}

			private static String fromContext(ContextView context) {
				return context.<Deadline>getOrEmpty(Deadline.CONTEXT_KEY)
					.map((deadline) -> Long.toString(TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos())))
					.orElse("none");
			}

		}

	}

}
