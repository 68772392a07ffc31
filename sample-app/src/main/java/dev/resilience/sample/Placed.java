package dev.resilience.sample;

/**
 * What the order service answers for a placed order.
 *
 * @param order the order
 * @param payment the payment outcome: charged, or pending while payments are down
 */
record Placed(Order order, Payment payment) {
}
