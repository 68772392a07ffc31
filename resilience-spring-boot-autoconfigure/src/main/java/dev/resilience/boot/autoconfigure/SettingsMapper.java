package dev.resilience.boot.autoconfigure;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Maps a settings record onto a core configuration builder: every component that is set
 * calls the builder method of the same name. Written once for every primitive, so a new
 * setting needs a record component and nothing else; {@code SettingsMapperTests} checks
 * that every component has its builder method.
 * <p>
 * Runs at startup only; reflection here costs nothing on the call path.
 */
final class SettingsMapper {

	/** Components that steer the starter rather than the core configuration. */
	static final Set<String> STARTER_SETTINGS = Set.of("baseConfig", "allowHealthIndicatorToFail",
			"registerHealthIndicator", "backend", "onBackendFailure", "backendTimeout");

	private SettingsMapper() {
	}

	/**
	 * Calls the builder method of each component that is set.
	 * @param settings the settings record
	 * @param builder the core configuration builder
	 * @param prefix the settings' property prefix, for messages
	 * @throws ResilienceConfigurationException if a value is rejected
	 */
	static void apply(Record settings, Object builder, String prefix) {
		for (Map.Entry<RecordComponent, Object> entry : values(settings).entrySet()) {
			RecordComponent component = entry.getKey();
			Object value = entry.getValue();
			String property = prefix + "." + kebab(component.getName());
			checkThrowableTypes(component, value, property);
			Method method = builderMethod(builder.getClass(), component);
			try {
				method.invoke(builder, convert(value, method.getParameterTypes()[0]));
			}
			catch (InvocationTargetException ex) {
				throw new ResilienceConfigurationException(property,
						"invalid value '" + value + "': " + ex.getCause().getMessage(),
						"Update " + property + " to a valid value.");
			}
			catch (IllegalAccessException ex) {
				throw new IllegalStateException(ex);
			}
		}
	}

	/**
	 * Returns the components that are set, in declaration order, without the starter's
	 * own.
	 * @param settings the settings record
	 * @return the set values by component
	 */
	static Map<RecordComponent, Object> values(Record settings) {
		Map<RecordComponent, Object> values = new LinkedHashMap<>();
		for (RecordComponent component : settings.getClass().getRecordComponents()) {
			if (STARTER_SETTINGS.contains(component.getName())) {
				continue;
			}
			Object value = read(settings, component);
			if (value != null) {
				values.put(component, value);
			}
		}
		return values;
	}

	static @Nullable Object read(Record settings, RecordComponent component) {
		try {
			return component.getAccessor().invoke(settings);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Finds the builder method a component maps onto.
	 * @param builderType the builder's class
	 * @param component the component
	 * @return the method
	 * @throws IllegalStateException if there is none (a programming error, caught by
	 * tests)
	 */
	static Method builderMethod(Class<?> builderType, RecordComponent component) {
		for (Method method : builderType.getMethods()) {
			if (method.getName().equals(component.getName()) && method.getParameterCount() == 1) {
				return method;
			}
		}
		throw new IllegalStateException(builderType.getName() + " has no method " + component.getName());
	}

	/**
	 * Turns a {@code camelCase} name into its {@code kebab-case} property form.
	 * @param name the name
	 * @return the property name
	 */
	static String kebab(String name) {
		StringBuilder result = new StringBuilder(name.length() + 8);
		for (char c : name.toCharArray()) {
			if (Character.isUpperCase(c)) {
				result.append('-').append(Character.toLowerCase(c));
			}
			else {
				result.append(c);
			}
		}
		return result.toString();
	}

	private static Object convert(Object value, Class<?> parameterType) {
		if (parameterType.isArray() && value instanceof Collection<?> collection) {
			Object array = java.lang.reflect.Array.newInstance(parameterType.getComponentType(), collection.size());
			int i = 0;
			for (Object element : collection) {
				java.lang.reflect.Array.set(array, i++, element);
			}
			return array;
		}
		if (parameterType == List.class && value instanceof Collection<?> collection) {
			return new ArrayList<>(collection);
		}
		return value;
	}

	private static void checkThrowableTypes(RecordComponent component, Object value, String property) {
		if (!(value instanceof Collection<?> collection) || !declaresThrowableClasses(component.getGenericType())) {
			return;
		}
		int index = 0;
		for (Object element : collection) {
			if (!(element instanceof Class<?> type) || !Throwable.class.isAssignableFrom(type)) {
				throw new ResilienceConfigurationException(property + "[" + index + "]",
						"'" + ((element instanceof Class<?> type) ? type.getName() : element)
								+ "' is not an exception type",
						"Name a class that extends java.lang.Throwable.");
			}
			index++;
		}
	}

	private static boolean declaresThrowableClasses(Type type) {
		// List<Class<? extends Throwable>>: erasure lets the binder accept any class, so
		// the
		// bound is checked here.
		if (type instanceof ParameterizedType list && list.getActualTypeArguments()[0] instanceof ParameterizedType cls
				&& cls.getActualTypeArguments()[0] instanceof WildcardType wildcard) {
			return wildcard.getUpperBounds()[0] == Throwable.class;
		}
		return false;
	}

}
