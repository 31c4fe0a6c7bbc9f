#!/bin/bash
# Usage (from the repository root): apps/bench/results/soak/runs/cpu-experiment.sh <name> [ENV=VALUE ...]
# Written for the CPU-per-message investigation of 2026-12-07 (README.md here). A 6-minute soak without kills into
# .local/cpu-<name>, and the CPU seconds of every service, the broker, PostgreSQL and the bench over 180 s from the
# first reading at t >= 150 s of load (cpuwin.mjs), into .local/cpu-<name>/cpu.json. ENV=VALUE pairs go to the bench's
# environment (the services only see what the harness passes them; the linger run patched it, see experiment.patch).
name=$1; shift
export PATH=$PWD/node_modules/.bin:$PATH NX_DAEMON=false NX_NO_CLOUD=true
out=.local/cpu-$name; rm -rf "$out"; mkdir -p "$out"
env "$@" npm run bench -- soak --minutes 6 --kill-every-minutes 0 --warm-up-minutes 2 --out "$out" > "$out/soak.log" 2>&1 &
pid=$!
until grep -q "t=1[5-9][0-9] s\|t=2[0-9][0-9] s" "$out/soak.log" 2>/dev/null; do
  sleep 5
  kill -0 $pid 2>/dev/null || { echo "the soak ended early: $out/soak.log"; exit 1; }
done
node apps/bench/results/soak/runs/cpuwin.mjs 180 > "$out/cpu.json"
wait $pid
