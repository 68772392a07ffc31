package dev.resilience.sample;

/**
 * An order to place.
 *
 * @param customer who orders
 * @param sku what
 * @param quantity how many
 * @param total the amount to charge
 */
record Order(String customer, String sku, int quantity, double total) {
}
