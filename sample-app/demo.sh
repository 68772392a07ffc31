#!/usr/bin/env bash
# A scripted walk through the sample app: normal traffic, faults injected, the payment
# breaker opens and the fallback answers, health and the breaker endpoint show it, faults
# removed, the breaker half-opens and closes; a chaos experiment; timeouts and deadlines; the
# adaptive bulkhead's limit coming down; load shedding with orders kept flowing during a flood;
# then a burst against the rate limit.
#
# Start the app first (see README.md), then: ./demo.sh   (BASE_URL defaults to http://localhost:8080)
# Open the live dashboard beside it: http://localhost:8080/resilience/ (see "Watch it live" below).
# Run from a terminal, the script waits for Enter once during the outage, so that you can look
# at the dashboard; NO_PAUSE=1 ./demo.sh runs straight through.
set -euo pipefail
BASE_URL="${BASE_URL:-http://localhost:8080}"
ORDER='{"customer":"ann","sku":"sku-1","quantity":1,"total":25.0}'

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pretty() { if command -v python3 >/dev/null; then python3 -m json.tool; else cat; echo; fi; }
order() { curl -s -X POST "$BASE_URL/orders" -H 'Content-Type: application/json' -d "$ORDER"; }
payment_status() { order | sed -E 's/.*"status":"([A-Z]+)".*/\1/'; }
breaker_state() { curl -s "$BASE_URL/actuator/circuitbreakers/payments" | sed -E 's/.*"state":"([A-Z_]+)".*/\1/'; }
faults() { curl -s -X POST "$BASE_URL/downstream/faults" -H 'Content-Type: application/json' -d "$1" >/dev/null; }
pause() { if [ -t 0 ] && [ -z "${NO_PAUSE:-}" ]; then read -r -p "$* [Enter] " _; fi; }

say "Watch it live: open $BASE_URL/resilience/ in a browser"
cat <<TEXT
The dashboard shows every instance of the sample (circuit breakers payments, shipping and
downstream-http, the downstream client's retry http.downstream and its timeouts, rate limiter
public-api, bulkhead recommendations, timeouts recommendations and inventory), updated every
second or two, with the recent events below.
During the outage this script provokes, watch:
  - the payments breaker tile turn OPEN (in red, and the word OPEN): its failure rate reaches
    its 50 % threshold after 3 failed charges (beside the 3 good ones), then the next orders
    are not permitted (its not-permitted count and chart rise) and the fallback queues their
    payments; the tile counts down to HALF_OPEN (10 s);
  - the http.downstream retry tile: stock look-ups (GETs) tried 3 times each by the
    downstream's HTTP client and failing (failed with retry); the charges (POSTs) are never
    repeated;
  - the event feed: payments CLOSED -> OPEN, the rejected calls, the retries;
  - later, the burst of orders: public-api rejections per second on the rate limiter tile.
You can act from the page too: "Close" on the payments tile closes the breaker at once (it
calls POST /actuator/circuitbreakers/payments {"state":"CLOSED"}); while the faults are on, it
opens again after 5 more failed orders.
TEXT

say "Normal traffic: every order is charged"
faults '{"failureRate":0.0,"latencyMs":0}'
for i in 1 2 3; do echo "order $i: payment $(payment_status)"; done
echo "payments breaker: $(breaker_state)"

say "The payment service starts failing (100% errors)"
faults '{"failureRate":1.0,"latencyMs":0}'
for i in $(seq 1 8); do echo "order $i: payment $(payment_status)   breaker: $(breaker_state)"; done
echo "Orders are still accepted: the fallback queued $(curl -s "$BASE_URL/payments/pending" | sed -E 's/[^0-9]//g') payments."
echo "Stock look-ups fail too; the HTTP client retries each GET (3 attempts), never a POST:"
for i in 1 2 3; do
	curl -s -o /dev/null -w "stock look-up $i: HTTP %{http_code}\n" "$BASE_URL/products/sku-1/stock/now"
done
echo "On the dashboard ($BASE_URL/resilience/): payments is OPEN, its rejected calls and the http.downstream retries show."
pause "Look at the dashboard now, then continue:"

say "/actuator/circuitbreakers/payments"
curl -s "$BASE_URL/actuator/circuitbreakers/payments" | pretty

say "/actuator/health: the breaker shows as open, the application stays UP (no restart for a downstream outage)"
curl -s "$BASE_URL/actuator/health" | pretty

say "The payment service recovers; after the open-state wait the breaker half-opens by itself (on the dashboard: OPEN, then HALF_OPEN, then CLOSED)"
faults '{"failureRate":0.0,"latencyMs":0}'
for i in $(seq 1 30); do
	state="$(breaker_state)"
	[ "$state" = "HALF_OPEN" ] && break
	sleep 1
done
echo "payments breaker: $state"
for i in 1 2 3; do echo "trial order $i: payment $(payment_status)"; done
echo "payments breaker: $(breaker_state)"

say "A chaos experiment: 60 % of the charges fail inside the payments breaker (the downstream itself is healthy)"
chaos() { curl -s -X "$1" "$BASE_URL/actuator/chaos$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
chaos POST /payments-outage '{"target":"payments","fault":"exception","exception":"org.springframework.web.client.ResourceAccessException","message":"payments unreachable","rate":0.6}' | pretty
for i in $(seq 1 12); do echo "order $i: payment $(payment_status)   breaker: $(breaker_state)"; done
echo "The rule's injections, and its CHAOS_INJECTED events:"
chaos GET "" | pretty
curl -s "$BASE_URL/actuator/resilienceevents?primitive=chaos" | head -c 400; echo

say "Kill switch: every chaos rule off at once; the breaker half-opens after its wait and closes"
chaos POST "" '{"enabled":false}' | pretty
for i in $(seq 1 30); do
	state="$(breaker_state)"
	[ "$state" = "HALF_OPEN" ] || [ "$state" = "CLOSED" ] && break
	sleep 1
done
for i in 1 2 3; do echo "trial order $i: payment $(payment_status)"; done
echo "payments breaker: $(breaker_state)"
chaos DELETE /payments-outage >/dev/null
chaos POST "" '{"enabled":true}' >/dev/null

say "A slow recommendation service: the timeout cuts it off at 1s and the fallback answers"
faults '{"failureRate":0.0,"latencyMs":1500}'
curl -s -o /dev/null -w "recommendations answered %{http_code} in %{time_total}s: " "$BASE_URL/customers/ann/recommendations"
curl -s "$BASE_URL/customers/ann/recommendations"; echo
faults '{"failureRate":0.0,"latencyMs":0}'

say "A caller that waits 300 ms (X-Request-Timeout-Ms: 300) while the inventory takes 1.5 s: answered when the caller gives up, not after"
faults '{"failureRate":0.0,"latencyMs":1500}'
curl -s -o /dev/null -w "without a budget: %{http_code} in %{time_total}s\n" "$BASE_URL/products/sku-1/stock/now"
curl -s -w "\nwith X-Request-Timeout-Ms: 300: %{http_code} in %{time_total}s\n" -H 'X-Request-Timeout-Ms: 300' \
	"$BASE_URL/products/sku-1/stock/now"
faults '{"failureRate":0.0,"latencyMs":0}'
echo "The downstream was sent what was left (about 290 ms, less the 10 ms margin); cut calls are counted:"
curl -s "$BASE_URL/actuator/prometheus" | grep -E '^resilience_deadline_(exceeded_total|remaining_seconds_count)' | grep -v ' 0.0$' || true

say "The adaptive bulkhead: recommendations slow down, and its limit (AIMD, from 10) comes down with them"
limit() { curl -s "$BASE_URL/actuator/bulkheads/recommendations" | sed -E 's/.*"limit":([0-9]+).*/\1/'; }
echo "recommendations limit: $(limit)"
faults '{"failureRate":0.0,"latencyMs":700}'
seq 1 12 | xargs -P 6 -I{} curl -s -o /dev/null "$BASE_URL/customers/ann/recommendations"
echo "after 12 calls slower than its 500 ms timeout: limit $(limit)"
faults '{"failureRate":0.0,"latencyMs":0}'
echo "its LIMIT_CHANGED events:"
curl -s "$BASE_URL/actuator/resilienceevents?primitive=bulkhead&type=LIMIT_CHANGED" | head -c 400; echo

say "Load shedding at the door: a flood of catalog requests (low value, 200 ms each) while orders are placed"
flood_log="$(mktemp)"
# 120 requests in flight at a time (the limit is 80), for about 5 s.
catalog_urls="$(for i in $(seq 1 40); do printf '%s/catalog ' "$BASE_URL"; done)"
for w in 1 2 3; do
	( end=$((SECONDS + 5)); while [ "$SECONDS" -lt "$end" ]; do
		# shellcheck disable=SC2086
		curl -s --parallel --parallel-max 40 -o /dev/null -w '%{http_code}\n' $catalog_urls >>"$flood_log"
	done ) &
done
sleep 1
for i in $(seq 1 8); do
	curl -s -o /dev/null -w "order $i during the flood: HTTP %{http_code} in %{time_total}s\n" -X POST "$BASE_URL/orders" \
		-H 'Content-Type: application/json' -d "$ORDER"
	sleep 0.2
done
echo "A shed catalog request, answered before any controller work:"
curl -s -i "$BASE_URL/catalog" | grep -iE '^(HTTP|Retry-After)' || true
wait
echo "The flood's answers (200: served within the limit; 503: shed):"
sort "$flood_log" | uniq -c
rm -f "$flood_log"
echo "The loadShedding health component and the rejections per partition:"
curl -s "$BASE_URL/actuator/health/loadShedding" | pretty
curl -s "$BASE_URL/actuator/prometheus" | grep -E '^resilience_shedding_rejected' || true

say "A burst of 40 orders at once by one customer, against the limit of 20 per second per customer"
seq 1 40 | xargs -P 40 -I{} curl -s -o /dev/null -w "%{http_code}\n" -X POST "$BASE_URL/orders" \
	-H 'Content-Type: application/json' -d "$ORDER" | sort | uniq -c
echo "A rejected order tells the client when to come back:"
for i in $(seq 1 40); do
	answer="$(curl -s -i -X POST "$BASE_URL/orders" -H 'Content-Type: application/json' -d "$ORDER")"
	if echo "$answer" | grep -q '^HTTP/1.1 429'; then
		echo "$answer" | grep -iE '^(HTTP|Retry-After)'
		break
	fi
done

say "Metrics (Prometheus)"
curl -s "$BASE_URL/actuator/prometheus" | grep -E '^resilience_(circuitbreaker_state|circuitbreaker_calls|ratelimiter_calls)' | head -20
