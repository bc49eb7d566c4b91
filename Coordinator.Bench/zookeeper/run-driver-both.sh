#!/usr/bin/env bash
# The ZooKeeper driver (ZkBench) against ZooKeeper 3.8 and against Coordinator's ZooKeeper port, one after the other,
# same workloads and rules, appended to one JSON-lines file (issue 22's comparison; run-all.sh ends with it):
#   Coordinator.Bench/zookeeper/run-driver-both.sh [FILE]
# WARMUP (default 30) and DURATION (default 15) are seconds per workload; about 14 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:-bench-results.jsonl}")
timing=(--warmup "${WARMUP:-30}" --duration "${DURATION:-15}")
dotnet build Coordinator.Service -c Release -v quiet -nologo >/dev/null
for system in run-zookeeper run-coordinator; do
  run() { "Coordinator.Bench/zookeeper/$system.sh" "$@" "${timing[@]}" --json "$out"; }
  for clients in 1 16 64; do
    run --workload write --clients "$clients"
  done
  run --workload read --clients 16
  run --workload syncread --clients 16
  run --workload watch --samples 2000
  run --workload watch-fanout --watchers 1000 --sessions 100 --sets 500
  run --workload watch-recursive --watchers 100 --clients 16
  run --workload lock --clients 8
done
echo "results in $out"
