#!/usr/bin/env bash
# Starts a 3-server ZooKeeper ensemble (3 JVMs on 127.0.0.1, fresh data in a temp dir), waits for a leader,
# runs one ZkBench workload against it and tears everything down on exit, whatever the outcome.
#   Coordinator.Bench/zookeeper/run-zookeeper.sh --workload write --clients 16 [--warmup 5 --duration 20 --json FILE]
# Every argument goes to ZkBench; README.md beside this script lists the workloads and their options.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench-common.sh
source "$here/bench-common.sh"
client_ports=(12181 12182 12183)
quorum_ports=(12888 12889 12890)
election_ports=(13888 13889 13890)

require_files "apt-get install zookeeper libslf4j-java" "$zk_jar" "$slf4j_binding"
require_free_ports "${client_ports[@]}" "${quorum_ports[@]}" "${election_ports[@]}"
start_work zk-bench
server_pids=()
compile_driver "$here"

for id in 1 2 3; do
    mkdir -p "$work/s$id/data" "$work/s$id/log"
    echo "$id" > "$work/s$id/data/myid"
    {
        echo "tickTime=2000"
        echo "initLimit=10"
        echo "syncLimit=5"
        echo "dataDir=$work/s$id/data"
        echo "dataLogDir=$work/s$id/log"
        echo "clientPortAddress=127.0.0.1"
        echo "clientPort=${client_ports[id - 1]}"
        echo "maxClientCnxns=0"
        echo "admin.enableServer=false"
        echo "4lw.commands.whitelist=srvr,mntr"
        for peer in 1 2 3; do
            echo "server.$peer=127.0.0.1:${quorum_ports[peer - 1]}:${election_ports[peer - 1]}"
        done
    } > "$work/s$id/zoo.cfg"
    "$java" -Xmx1g "$logging" -cp "$classpath" org.apache.zookeeper.server.quorum.QuorumPeerMain "$work/s$id/zoo.cfg" \
        > "$work/s$id/server.log" 2>&1 &
    pids+=($!)
    server_pids+=($!)
    echo "$id 127.0.0.1:${client_ports[id - 1]} $!" >> "$work/servers"
done

mode() {
    timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf srvr >&3 && cat <&3" 2>/dev/null | sed -n 's/^Mode: //p' || true
}
deadline=$((SECONDS + 60))
while :; do
    modes=""
    for port in "${client_ports[@]}"; do
        modes+="$(mode "$port") "
    done
    [[ $modes == *leader* && $(grep -o follower <<< "$modes" | wc -l) -eq 2 ]] && break
    for i in 0 1 2; do
        if ! kill -0 "${server_pids[i]}" 2>/dev/null; then
            echo "server $((i + 1)) exited while starting:" >&2
            tail -n 30 "$work/s$((i + 1))/server.log" >&2
            exit 1
        fi
    done
    if ((SECONDS >= deadline)); then
        echo "no leader with two followers within 60 s (modes: $modes)" >&2
        tail -n 30 "$work"/s*/server.log >&2
        exit 1
    fi
    sleep 0.5
done
echo "ensemble: $modes(servers 1 2 3 on 127.0.0.1:${client_ports[*]})"
echo "command: Coordinator.Bench/zookeeper/run-zookeeper.sh $*"

in_background "$java" -Xmx1g "$logging" "$client_logging" -cp "$work/classes:$classpath" ZkBench --servers-file "$work/servers" "$@"
