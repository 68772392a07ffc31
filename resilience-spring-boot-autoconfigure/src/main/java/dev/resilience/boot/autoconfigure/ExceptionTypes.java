package dev.resilience.boot.autoconfigure;

import java.util.List;

/**
 * Checks the exception lists of the properties ({@code record-exceptions},
 * {@code retry-exceptions}, ...): the binder erases {@code Class<? extends Throwable>} to
 * {@code Class}, so it binds any class; one that is not an exception fails startup here.
 */
final class ExceptionTypes {

	private ExceptionTypes() {
	}

	/**
	 * Requires every element to be an exception type.
	 * @param types the bound list
	 * @param property the list's property, for errors
	 * @return the list
	 * @throws ResilienceConfigurationException naming the first element that is not an
	 * exception type, with its index
	 */
	static List<Class<? extends Throwable>> check(List<Class<? extends Throwable>> types, String property) {
		int index = 0;
		for (Object element : types) {
			if (!(element instanceof Class<?> type) || !Throwable.class.isAssignableFrom(type)) {
				throw new ResilienceConfigurationException(property + "[" + index + "]",
						"'" + ((element instanceof Class<?> type) ? type.getName() : element)
								+ "' is not an exception type",
						"Name a class that extends java.lang.Throwable.");
			}
			index++;
		}
		return types;
	}

}
