#!/usr/bin/env bash
# The idle retry scheduler under several --max-old-space-size caps: its CPU over 15 s once ready, and the V8 heap in
# use it reports (its /metrics). Needs a built retry scheduler (nx run retry-scheduler:build) and the broker on
# localhost:19092 (npm run kafka:start). Run from the repository root:
#   bash apps/bench/results/heap-capped-too-small/old-space-trial.sh none 96 112 128 160 256
# Each cap runs on its own SQLite file and topic namespace; the output is what old-space-trial.txt holds.
set -u
root=$(pwd)
node="$root/node_modules/.bin/node"
work=$(mktemp -d)
echo "node $("$node" --version), $(nproc) cores, $(date -u +%FT%TZ)"
for cap in "$@"; do
  port=$((18900 + RANDOM % 90))
  opts=""; [ "$cap" != none ] && opts="--max-old-space-size=$cap"
  KAFKA_BROKERS=localhost:19092 SMARTLINK_TOPIC_NAMESPACE="oldspace$RANDOM" DB_TYPE=sqlite \
    DB_SQLITE_PATH="$work/$cap.sqlite" REDRIVE_HTTP_TOKEN=0123456789abcdef0123 HTTP_PORT=$port HTTP_HOST=127.0.0.1 \
    NODE_OPTIONS="$opts" "$node" "$root/dist/apps/retry-scheduler/main.js" > "$work/$cap.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 90); do curl -sf "localhost:$port/health/ready" > /dev/null && break; sleep 1; done
  sleep 5
  a=$(curl -s "localhost:$port/metrics" | awk '/^process_cpu_seconds_total/ {print $2}')
  sleep 15
  metrics=$(curl -s "localhost:$port/metrics")
  b=$(awk '/^process_cpu_seconds_total/ {print $2}' <<< "$metrics")
  heap=$(awk '/^nodejs_heap_size_used_bytes/ {printf "%d", $2 / 1048576}' <<< "$metrics")
  echo "max-old-space-size=$cap: CPU $(echo "($b - $a) / 15 * 100" | bc -l | xargs printf '%.1f') % of one core idle, heap in use $heap MiB"
  kill "$pid"; wait "$pid" 2> /dev/null
done
rm -rf "$work"
