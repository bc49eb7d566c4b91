#!/usr/bin/env bash
# The same ZkBench driver as run-zookeeper.sh, against a 3-replica Coordinator cluster's ZooKeeper ports: starts the
# replicas (fresh SQLite data in a temp dir, Release build of Coordinator.Service), waits until each port answers
# ruok, runs one workload and stops every replica on exit, whatever the outcome.
#   Coordinator.Bench/zookeeper/run-coordinator.sh --workload write --clients 16 [--warmup 5 --duration 20 --json FILE]
# Results are labelled "system": "coordinator-zk" (ZooKeeper's own runs: "zookeeper").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench-common.sh
source "$here/bench-common.sh"
service=$here/../../Coordinator.Service/bin/Release/net10.0/Coordinator.Service.dll
replica_ports=(14101 14102 14103)
zk_ports=(12281 12282 12283)

require_files "apt-get install zookeeper libslf4j-java; dotnet build -c Release" "$zk_jar" "$slf4j_binding" "$service"
require_free_ports "${replica_ports[@]}" "${zk_ports[@]}"
start_work coordinator-zk-bench
replica_pids=()
compile_driver "$here"

for id in 1 2 3; do
    {
        echo "coordinator {"
        echo "  replica.data-dir = \"$work/data\""
        echo "  zookeeper.endpoint = \"127.0.0.1:${zk_ports[id - 1]}\""
        echo "  replicas {"
        for peer in 1 2 3; do
            echo "    $peer = \"127.0.0.1:${replica_ports[peer - 1]}\""
        done
        echo "  }"
        echo "}"
    } > "$work/replica-$id.conf"
    dotnet "$service" --config "$work/replica-$id.conf" --id "$id" > "$work/replica-$id.log" 2>&1 &
    pids+=($!)
    replica_pids+=($!)
    echo "$id 127.0.0.1:${zk_ports[id - 1]} $!" >> "$work/servers"
done

ruok() {
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf ruok >&3 && cat <&3" 2>/dev/null || true
}
deadline=$((SECONDS + 60))
while :; do
    answers=""
    for port in "${zk_ports[@]}"; do
        answers+="$(ruok "$port") "
    done
    [[ $(grep -o imok <<< "$answers" | wc -l) -eq 3 ]] && break
    for i in 0 1 2; do
        if ! kill -0 "${replica_pids[i]}" 2>/dev/null; then
            echo "replica $((i + 1)) exited while starting:" >&2
            tail -n 30 "$work/replica-$((i + 1)).log" >&2
            exit 1
        fi
    done
    if ((SECONDS >= deadline)); then
        echo "not every ZooKeeper port answered imok within 60 s ($answers)" >&2
        tail -n 30 "$work"/replica-*.log >&2
        exit 1
    fi
    sleep 0.5
done
echo "cluster: 3 replicas, ZooKeeper ports 127.0.0.1:${zk_ports[*]}"
echo "command: Coordinator.Bench/zookeeper/run-coordinator.sh $*"

in_background "$java" -Xmx1g "$logging" "$client_logging" -cp "$work/classes:$classpath" ZkBench --servers-file "$work/servers" --system coordinator-zk "$@"
