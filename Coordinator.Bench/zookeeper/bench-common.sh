# Shared by run-zookeeper.sh and run-coordinator.sh (sourced, not run): the driver's classpath, the checks before a
# cluster starts, a temp dir and every process started removed on any exit, and the compiled ZkBench driver.
zk_jar=${ZK_JAR:-/usr/share/java/zookeeper.jar}
slf4j_binding=${SLF4J_BINDING:-/usr/share/java/slf4j-simple.jar}
java=${JAVA:-java}
classpath="$zk_jar:$slf4j_binding"
logging=-Dorg.slf4j.simpleLogger.defaultLogLevel=warn
# A client closing its session logs a WARN with a stack trace per session; errors still show.
client_logging=-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.ClientCnxn=error

# require_files HINT FILE...: exits 2 naming the first missing file and what provides it.
require_files() {
    local hint=$1 file
    shift
    for file in "$@"; do
        [[ -r $file ]] || { echo "missing $file ($hint)" >&2; exit 2; }
    done
}

# require_free_ports PORT...: exits 2 if anything already listens on one of them on 127.0.0.1.
require_free_ports() {
    local port
    for port in "$@"; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "port $port on 127.0.0.1 is already in use" >&2
            exit 2
        fi
    done
}

# start_work NAME: a temp dir in $work; every pid added to $pids is SIGKILLed and the dir removed on exit.
start_work() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    pids=()
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}

# Foreground commands would hold a signal's trap until they end; waiting on a background job does not.
in_background() {
    "$@" &
    pids+=($!)
    wait $!
}

# compile_driver DIR: ZkBench.java (beside this file) compiled into $work/classes.
compile_driver() {
    # The sessions workload holds thousands of sockets per JVM.
    ulimit -n "$(ulimit -Hn)"
    in_background "${JAVAC:-javac}" -nowarn -d "$work/classes" -cp "$zk_jar" "$1/ZkBench.java"
}
