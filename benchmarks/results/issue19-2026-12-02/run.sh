#!/bin/bash
# The issue 19 final run, from the repository root after
#   ./mvnw -B -DskipTests package -pl benchmarks -am
# Usage: run.sh <java> <tag> [subset]   e.g.  run.sh java jdk17
#        run.sh /usr/lib/jvm/temurin-25-jdk-amd64/bin/java jdk25 targets
# Writes <tag>-core.json/.txt, <tag>-annotation.json/.txt and <tag>-load.txt here.
set -u
JAVA=$1; TAG=$2; SUBSET=${3:-all}
JAR=benchmarks/target/benchmarks.jar
OUT=$(dirname "$0")
if [ "$SUBSET" = targets ]; then
	CORE='RateLimiterBenchmark\.(bare|permitted_ours|permitted_oursCoarse|permitted_r4j|limiting_ours|limiting_oursCoarse|limiting_r4j)$|CircuitBreakerBenchmark\.(timeWindow_ours|timeWindow_oursCoarse|timeWindow_r4j|open_ours|open_oursCoarse|open_r4j)$|BulkheadBenchmark\.(full_ours|full_r4j)$|PipelineBenchmark\.(combined_ours|combined_oursCoarse|combined_r4j)$'
	ANN='AnnotationBenchmark\.(noopInterceptor|stack_ours|stack_oursCoarse|stack_r4j)$'
else
	CORE='RateLimiterBenchmark\.(bare|permitted_ours|permitted_oursCoarse|permitted_r4j|limiting_ours|limiting_oursCoarse|limiting_r4j)$|CircuitBreakerBenchmark\.(countWindow_ours|countWindow_r4j|timeWindow_ours|timeWindow_oursCoarse|timeWindow_r4j|open_ours|open_oursCoarse|open_r4j)$|BulkheadBenchmark\.(permitted_ours|permitted_r4j|full_ours|full_r4j)$|RetryBenchmark\.(succeeding_ours|succeeding_r4j)$|PipelineBenchmark\.(combined_ours|combined_oursCoarse|combined_r4j)$'
	CORE="$CORE"'|ChaosBenchmark\.(withoutChaos_ours|chaosNoRule_ours|chaosDisabledRule_ours|chaosRuleAtRateZero_ours)$|DeadlineBenchmark\.(noDeadline_ours|withDeadline_ours)$|AdaptiveBulkheadBenchmark\.(fixed_ours|aimd_ours|gradient2_ours|vegas_ours)$'
	ANN='AnnotationBenchmark\.(noopInterceptor|circuitBreaker_ours|circuitBreaker_r4j|stack_ours|stack_oursCoarse|stack_r4j|circuitBreaker_observed|stack_observed|observationFloor)$'
fi
uptime > "$OUT/$TAG-load.txt"
"$JAVA" -version 2>> "$OUT/$TAG-load.txt"
"$JAVA" -jar $JAR "$CORE" -wi 3 -w 2 -i 5 -r 2 -f 1 -prof gc -rf json -rff "$OUT/$TAG-core.json" > "$OUT/$TAG-core.txt" 2>&1
uptime >> "$OUT/$TAG-load.txt"
"$JAVA" -jar $JAR "$ANN" -wi 5 -w 3 -i 5 -r 2 -f 1 -prof gc -rf json -rff "$OUT/$TAG-annotation.json" > "$OUT/$TAG-annotation.txt" 2>&1
uptime >> "$OUT/$TAG-load.txt"
echo done >> "$OUT/$TAG-load.txt"
