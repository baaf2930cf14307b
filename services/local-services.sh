#!/usr/bin/env bash
# Starts, stops and reports the local Apache Kafka broker and Elasticsearch node.
#
#   local-services.sh up       start whatever is not already answering; wait until both are ready
#   local-services.sh down     stop what this script started (SIGTERM by PID, then SIGKILL that PID)
#   local-services.sh status   one line per engine: running / answering / stopped, PID, RSS
#
# Environment: SERVICES_CACHE (jars, data, logs, PID files), SERVICES_TIMEOUT [180] seconds,
# PROBE_DEADLINE [15] seconds per readiness probe,
# SERVICES_KEEP_DATA [0] (1 keeps the data folders of a previous run), PYTHON (for the probes),
# and the per-engine variables documented in kafka/run.sh and elasticsearch/run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

run_dir="$SERVICES_CACHE/run"
log_dir="$SERVICES_CACHE/logs"
timeout=${SERVICES_TIMEOUT:-180}
python=${PYTHON:-python3}
read -r -a engines <<<"${SERVICES_ENGINES:-kafka elasticsearch}"
mkdir -p "$run_dir" "$log_dir"

pid_of() { cat "$run_dir/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
# One probe never takes more than PROBE_DEADLINE seconds, whatever the engine does.
ready() { timeout "${PROBE_DEADLINE:-15}" "$python" "$here/probe.py" "$1" >/dev/null 2>&1; }
data_dir_of() {
    case $1 in
        kafka) echo "${KAFKA_DATA_DIR:-$SERVICES_CACHE/data/kafka}" ;;
        elasticsearch) echo "${ES_DATA_DIR:-$SERVICES_CACHE/data/elasticsearch}" ;;
    esac
}
log_of() {
    case $1 in
        kafka) echo "$log_dir/kafka.log" ;;
        elasticsearch) echo "$log_dir/elasticsearch.out" ;;
    esac
}

start_engine() {
    local engine=$1
    if alive "$engine"; then
        return 0
    fi
    if ready "$engine"; then
        echo "$engine: already answering (not started by this script); leaving it alone"
        return 0
    fi
    if [ "${SERVICES_KEEP_DATA:-0}" != 1 ]; then
        rm -rf "$(data_dir_of "$engine")"
    fi
    # Resolve jars in the foreground so a download failure is reported here, not as a timeout.
    "$here/$engine/build.sh"
    echo "$engine: starting"
    date +%s >"$run_dir/$engine.started"
    nohup "$here/$engine/run.sh" >"$log_dir/$engine.out" 2>&1 </dev/null &
    echo $! >"$run_dir/$engine.pid"
}

wait_engine() {
    local engine=$1 deadline=$(( $(date +%s) + timeout )) started
    while ! ready "$engine"; do
        if ! alive "$engine" && [ -f "$run_dir/$engine.pid" ]; then
            rm -f "$run_dir/$engine.started"
            echo "$engine: process exited before becoming ready; last lines of its log:" >&2
            tail -n 40 "$(log_of "$engine")" "$log_dir/$engine.out" >&2 2>/dev/null || true
            return 1
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            rm -f "$run_dir/$engine.started"
            echo "$engine: not ready after ${timeout}s; last lines of its log:" >&2
            tail -n 40 "$(log_of "$engine")" "$log_dir/$engine.out" >&2 2>/dev/null || true
            return 1
        fi
        sleep 1
    done
    started=$(cat "$run_dir/$engine.started" 2>/dev/null || date +%s)
    if [ -f "$run_dir/$engine.started" ]; then
        echo "$engine: ready after $(( $(date +%s) - started ))s (pid $(pid_of "$engine"))"
        rm -f "$run_dir/$engine.started"
    fi
}

stop_engine() {
    local engine=$1 pid
    pid=$(pid_of "$engine")
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        rm -f "$run_dir/$engine.pid"
        echo "$engine: not running"
        return 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$engine: still running 30s after SIGTERM; sending SIGKILL to $pid"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$run_dir/$engine.pid"
    echo "$engine: stopped (pid $pid)"
}

status_engine() {
    local engine=$1 pid rss
    if alive "$engine"; then
        pid=$(pid_of "$engine")
        rss=$(ps -o rss= -p "$pid" | awk '{printf "%.0f MiB", $1/1024}')
        if ready "$engine"; then
            echo "$engine: running, ready (pid $pid, rss $rss)"
        else
            echo "$engine: running, not ready yet (pid $pid, rss $rss)"
        fi
    elif ready "$engine"; then
        echo "$engine: answering, not started by this script"
    else
        echo "$engine: stopped"
        return 3
    fi
}

case ${1:-} in
    up)
        for engine in "${engines[@]}"; do start_engine "$engine"; done
        for engine in "${engines[@]}"; do wait_engine "$engine"; done
        ;;
    down)
        for engine in "${engines[@]}"; do stop_engine "$engine"; done
        ;;
    status)
        rc=0
        for engine in "${engines[@]}"; do status_engine "$engine" || rc=$?; done
        exit "$rc"
        ;;
    *)
        echo "usage: $0 up|down|status" >&2
        exit 2
        ;;
esac
