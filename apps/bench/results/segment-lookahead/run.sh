#!/usr/bin/env bash
# The example segment's SEGMENT_LOOKAHEAD swept on one commit, each value a downstream and a latency run of
# `npm run bench` (50,000 messages; 1,000 msg/s for 30 s), one after the other on the same machine.
# Results: apps/bench/results/segment-lookahead/L<value>/ (REPORT.md, bench-results.json, runs/<start>-<commit>/).
# Usage: bash apps/bench/results/segment-lookahead/run.sh [values...]   (default: 0 16 64 256 1000)
set -euo pipefail
cd "$(dirname "$0")/../../../.."
values=("$@")
[ ${#values[@]} -gt 0 ] || values=(0 16 64 256 1000)
for lookahead in "${values[@]}"; do
  npm run bench -- --runs downstream,latency --out "apps/bench/results/segment-lookahead/L${lookahead}" \
    --set "example-segment.SEGMENT_LOOKAHEAD=${lookahead}"
done
