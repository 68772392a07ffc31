package dev.resilience.sample;

/**
 * Units in stock.
 *
 * @param sku the product
 * @param units units available
 */
record Stock(String sku, int units) {
}
