#!/usr/bin/env bash
# Runs the reliability suite's replicas case once in each of four consumer-group settings and keeps, per setting, its
# results (<setting>.json) and the group coordinator's lines about the run's groups from the broker's log
# (<setting>.broker-groups.log). Needs the project's broker at localhost:19092 (`node tools/kafka/kafka-broker.mjs
# start`), whose log it reads; about 20 minutes on 2 cores.
#
#   bash apps/reliability/results/runs/replicas-compare/run.sh
set -uo pipefail
cd "$(dirname "$0")/../../../../.."
export NX_DAEMON=false NX_NO_CLOUD=true PATH="$PWD/node_modules/.bin:$PATH"
out=apps/reliability/results/runs/replicas-compare
broker_log=.local/kafka/broker-19092.log
for setting in "kafkajs-classic-dynamic kafkajs classic false" \
  "platformatic-classic-static platformatic classic true" \
  "platformatic-consumer-static platformatic consumer true" \
  "platformatic-consumer-dynamic platformatic consumer false"; do
  set -- $setting
  from=$(wc -l < "$broker_log")
  REPLICAS_KAFKA_CLIENT=$2 REPLICAS_GROUP_PROTOCOL=$3 REPLICAS_STATIC_MEMBERSHIP=$4 \
    npx nx run reliability:reliability -- --testPathPatterns=replicas > "$out/$1.test.log" 2>&1
  echo "$1: exit code $?"
  cp apps/reliability/results/latest/replicas.json "$out/$1.json"
  namespace=$(node -e "console.log(require('./$out/$1.json').raw.namespace)")
  tail -n +$((from + 1)) "$broker_log" |
    grep -i "static member\|cannot join the group because\|Preparing to rebalance\|Stabilized group" |
    grep "$namespace" | cut -c1-600 > "$out/$1.broker-groups.log"
  rm -f "$out/$1.test.log"
done
