#!/bin/sh
# Every 30 s, for each service of the soak run (processes running /work/wt/soak/dist/apps/<name>/main.js), scrape its
# /metrics for V8's heap committed and in use, old space in use, external memory (Buffers) and RSS.
while true; do
  now=$(date -u +%FT%TZ)
  for pid in $(pgrep -f '/work/wt/soak/dist/apps/.*/main.js'); do
    name=$(tr '\0' ' ' < /proc/$pid/cmdline | grep -o 'dist/apps/[a-z-]*' | cut -d/ -f3)
    port=$(tr '\0' '\n' < /proc/$pid/environ | grep '^HTTP_PORT=' | cut -d= -f2)
    [ -z "$port" ] && continue
    curl -s -m 5 http://127.0.0.1:$port/metrics | grep -E '^(nodejs_heap_size_total_bytes|nodejs_heap_size_used_bytes|nodejs_external_memory_bytes|process_resident_memory_bytes|nodejs_heap_space_size_used_bytes\{space="old")' | sed "s/^/$now $name $pid /"
  done
  sleep 30
done
