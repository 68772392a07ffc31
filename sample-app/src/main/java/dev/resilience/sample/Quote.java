package dev.resilience.sample;

/**
 * A shipping quote.
 *
 * @param sku the product
 * @param price the shipping price
 * @param days delivery time in days
 */
record Quote(String sku, double price, int days) {
}
