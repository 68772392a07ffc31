package dev.resilience.boot.health;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.AdditionalPathsMapper;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.AdditionalHealthEndpointPath;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.health.actuate.endpoint.HttpCodeStatusMapper;
import org.springframework.boot.health.actuate.endpoint.StatusAggregator;

/**
 * Gives every health group, the primary one included, a
 * {@link ResilienceStatusAggregator} around the aggregator it has. Working on the groups
 * rather than on the {@code StatusAggregator} bean also covers groups with their own
 * {@code management.endpoint.health.group.<name>.status.order}.
 * <p>
 * The wrapped groups are made once per group and kept, because the health endpoint tells
 * the primary group by identity; everything but the aggregator is delegated.
 */
final class ResilienceHealthEndpointGroupsPostProcessor implements HealthEndpointGroupsPostProcessor {

	@Override
	public HealthEndpointGroups postProcessHealthEndpointGroups(HealthEndpointGroups groups) {
		return (groups instanceof Groups) ? groups : new Groups(groups);
	}

	/**
	 * The groups, each with the resilience aggregator. Also an
	 * {@link AdditionalPathsMapper} (delegating), as Spring Boot's own groups are, so
	 * that {@code additional-path} settings keep working.
	 */
	static final class Groups implements HealthEndpointGroups, AdditionalPathsMapper {

		private final HealthEndpointGroups delegate;

		// By identity: the endpoint compares groups with ==, whatever equals() says.
		private final Map<HealthEndpointGroup, HealthEndpointGroup> wrapped = Collections
			.synchronizedMap(new IdentityHashMap<>());

		Groups(HealthEndpointGroups delegate) {
			this.delegate = delegate;
		}

		@Override
		public HealthEndpointGroup getPrimary() {
			return wrap(this.delegate.getPrimary());
		}

		@Override
		public Set<String> getNames() {
			return this.delegate.getNames();
		}

		@Override
		public @Nullable HealthEndpointGroup get(String name) {
			HealthEndpointGroup group = this.delegate.get(name);
			return (group != null) ? wrap(group) : null;
		}

		@Override
		public @Nullable HealthEndpointGroup get(AdditionalHealthEndpointPath path) {
			HealthEndpointGroup group = this.delegate.get(path);
			return (group != null) ? wrap(group) : null;
		}

		@Override
		public Set<HealthEndpointGroup> getAllWithAdditionalPath(WebServerNamespace namespace) {
			Set<HealthEndpointGroup> groups = new LinkedHashSet<>();
			this.delegate.getAllWithAdditionalPath(namespace).forEach((group) -> groups.add(wrap(group)));
			return groups;
		}

		@Override
		public @Nullable List<String> getAdditionalPaths(EndpointId endpointId, WebServerNamespace webServerNamespace) {
			return (this.delegate instanceof AdditionalPathsMapper mapper)
					? mapper.getAdditionalPaths(endpointId, webServerNamespace) : null;
		}

		private HealthEndpointGroup wrap(HealthEndpointGroup group) {
			return this.wrapped.computeIfAbsent(group, Group::new);
		}

	}

	/**
	 * One group with the resilience aggregator.
	 */
	static final class Group implements HealthEndpointGroup {

		private final HealthEndpointGroup delegate;

		Group(HealthEndpointGroup delegate) {
			this.delegate = delegate;
		}

		@Override
		public boolean isMember(String name) {
			return this.delegate.isMember(name);
		}

		@Override
		public boolean showComponents(SecurityContext securityContext) {
			return this.delegate.showComponents(securityContext);
		}

		@Override
		public boolean showDetails(SecurityContext securityContext) {
			return this.delegate.showDetails(securityContext);
		}

		@Override
		public StatusAggregator getStatusAggregator() {
			StatusAggregator aggregator = this.delegate.getStatusAggregator();
			return (aggregator instanceof ResilienceStatusAggregator) ? aggregator
					: new ResilienceStatusAggregator(aggregator);
		}

		@Override
		public HttpCodeStatusMapper getHttpCodeStatusMapper() {
			return this.delegate.getHttpCodeStatusMapper();
		}

		@Override
		public @Nullable AdditionalHealthEndpointPath getAdditionalPath() {
			return this.delegate.getAdditionalPath();
		}

	}

}
