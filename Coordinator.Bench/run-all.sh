#!/usr/bin/env bash
# Every workload of issue #9, Coordinator then ZooKeeper, one after the other on this machine, all runs appended to
# one JSON-lines file (default bench-results.jsonl):
#   Coordinator.Bench/run-all.sh [FILE]
# Needs ZooKeeper from Debian (apt-get install zookeeper) and, for the managed-heap figure of `sessions`,
# dotnet-gcdump (dotnet tool install -g dotnet-gcdump). Takes about 20 minutes; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-bench-results.jsonl}")
dotnet build Coordinator.Bench -c Release -v quiet -nologo >/dev/null
coordinator() { dotnet Coordinator.Bench/bin/Release/net10.0/Coordinator.Bench.dll "$@" --json "$out"; }
zookeeper() { Coordinator.Bench/zookeeper/run-zookeeper.sh "$@" --json "$out"; }

for system in coordinator zookeeper; do
  for clients in 1 16 64; do
    "$system" --workload write --clients "$clients"
    "$system" --workload read --clients "$clients"
  done
  "$system" --workload syncread --clients 16
  "$system" --workload failover --clients 16
  "$system" --workload watch
  "$system" --workload lock --clients 8
done
coordinator --workload sessions --clients 10000
zookeeper --workload sessions --sessions 10000
echo "results in $out"
