#!/usr/bin/env bash
# Every workload of issue #9 and issue 18's watch fan-out pair, Coordinator then ZooKeeper, one after the other on
# this machine, all runs appended to one JSON-lines file (default bench-results.jsonl):
#   Coordinator.Bench/run-all.sh [FILE]
# Needs ZooKeeper from Debian (apt-get install zookeeper) and, for the managed-heap figure of `sessions`,
# dotnet-gcdump (dotnet tool install -g dotnet-gcdump). Takes about 50 minutes; run it on a quiet machine.
# Steady-state workloads skip their first WARMUP seconds (default 30): both JITs (.NET's tiered compilation, the
# JVM's) are still compiling hot paths in the first 20-30 s after start, which shows in every latency figure.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-bench-results.jsonl}")
warm=(--warmup "${WARMUP:-30}")
dotnet build Coordinator.Bench -c Release -v quiet -nologo >/dev/null
coordinator() { dotnet Coordinator.Bench/bin/Release/net10.0/Coordinator.Bench.dll "$@" --json "$out"; }
zookeeper() { Coordinator.Bench/zookeeper/run-zookeeper.sh "$@" --json "$out"; }

for system in coordinator zookeeper; do
  for clients in 1 16 64; do
    "$system" --workload write --clients "$clients" "${warm[@]}"
    "$system" --workload read --clients "$clients" "${warm[@]}"
  done
  "$system" --workload syncread --clients 16 "${warm[@]}"
  "$system" --workload failover --clients 16
  "$system" --workload watch --samples 2000 "${warm[@]}"
  "$system" --workload watch-fanout --watchers 1000 --sessions 100 --sets 500 "${warm[@]}"
  "$system" --workload watch-recursive --watchers 100 --clients 16 "${warm[@]}"
  "$system" --workload lock --clients 8 "${warm[@]}"
done
coordinator --workload sessions --clients 10000
zookeeper --workload sessions --sessions 10000
# ZooKeeper's own driver against both servers: Coordinator through its ZooKeeper port.
WARMUP="${WARMUP:-30}" Coordinator.Bench/zookeeper/run-driver-both.sh "$out"
