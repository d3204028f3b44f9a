#!/usr/bin/env bash
# Where our gRPC transport stands: the same crm.bench.v1.EchoService served by the Swift stack
# (`crm echo-server`, hosted exactly as a service is), by Go gRPC and by C++ gRPC, each loaded
# with h2load in the same shapes in the same run (scripts/h2load-grpc.sh, which fails the run on
# any gRPC error). Records RPC/s and the server's CPU time per RPC (utime+stime from
# /proc/PID/stat around the timed run).
#
#   scripts/bench-transport.sh [--out FILE.json] [--seconds S] [--shapes "1x128 4x32"]
#                              [--servers "swift swift-quiet go cpp"] [--skip-build]
#
#   swift        crm echo-server as the services run (log level info: one log line per RPC)
#   swift-quiet  the same with --log-level warning (no per-RPC log line): the bare transport
#   go, cpp      the peers (scripts/build-echo-peers.sh)
#
# Each shape CxM is h2load -c C -m M (C connections, M streams in flight on each, C h2load
# threads up to 2); the request count is sized from a short warm-up so each timed run lasts
# about S seconds (default 10). Every server started here is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=""
SECONDS_PER_RUN=10
SHAPES="1x128 4x32"
SERVERS="swift swift-quiet go cpp"
BUILD=yes
SCRATCH=/tmp/rel-build

while (($#)); do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --shapes) SHAPES=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --skip-build) BUILD=no; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ $SECONDS_PER_RUN =~ ^[1-9][0-9]*$ ]] || { echo "--seconds: a whole number of seconds" >&2; exit 2; }

WORK=$(mktemp -d /tmp/bench-transport.XXXXXX)
PIDS=()
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    # Give each server 5 s to stop on SIGTERM, then kill it.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap 'stop_all; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [[ $BUILD == yes ]]; then
  echo "building crm (release, $SCRATCH) ..."
  (cd "$ROOT" && swift build -c release --product crm --scratch-path "$SCRATCH" > "$WORK/swift-build.log" 2>&1) \
    || { tail -30 "$WORK/swift-build.log" >&2; echo "release build failed" >&2; exit 1; }
  "$ROOT/scripts/build-echo-peers.sh"
fi
CRM="$SCRATCH/release/crm"
PEERS="$ROOT/.build/echo-peers"

# Starts server $1 on a free loopback port; sets SERVER_PID and SERVER_ADDR.
start_server() {
  local name=$1 log="$WORK/$1.log"
  case $name in
    swift) "$CRM" echo-server --port 0 > "$log" 2> "$WORK/$name.stderr" & ;;
    swift-quiet) "$CRM" echo-server --port 0 --log-level warning > "$log" 2> "$WORK/$name.stderr" & ;;
    go) "$PEERS/echo-peer-go" --port 0 > "$log" 2> "$WORK/$name.stderr" & ;;
    cpp) "$PEERS/echo-peer-cpp" --port 0 > "$log" 2> "$WORK/$name.stderr" & ;;
    *) echo "unknown server $name" >&2; exit 2 ;;
  esac
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_ADDR=""
  for _ in $(seq 100); do
    SERVER_ADDR=$(sed -nE 's/.*listening on ([^ ]+).*/\1/p' "$log" | tail -n 1)
    [[ -n $SERVER_ADDR ]] && return
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$log" "$WORK/$name.stderr" >&2
  echo "$name did not start listening" >&2
  exit 1
}

# CPU ticks (utime + stime) the process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS_PER_SECOND=$(getconf CLK_TCK)

echo "machine: $(nproc) cores, $(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
for server in $SERVERS; do
  start_server "$server"
  echo "== $server (pid $SERVER_PID, $SERVER_ADDR)"
  for shape in $SHAPES; do
    clients=${shape%x*} streams=${shape#*x}
    threads=$((clients < 2 ? clients : 2))
    # Warm-up (also sizes the timed run).
    "$ROOT/scripts/h2load-grpc.sh" "$SERVER_ADDR" -c "$clients" -m "$streams" -t "$threads" \
      -n $((20000 > clients * streams ? 20000 : clients * streams)) --time-limit 60 --json "$WORK/warm.json" > "$WORK/warm.out" \
      || { cat "$WORK/warm.out" >&2; exit 1; }
    count=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(max(int(r['rpcPerSecond'] * $SECONDS_PER_RUN), $clients * $streams))" "$WORK/warm.json")
    before=$(cpu_ticks "$SERVER_PID")
    "$ROOT/scripts/h2load-grpc.sh" "$SERVER_ADDR" -c "$clients" -m "$streams" -t "$threads" \
      -n "$count" --time-limit $((SECONDS_PER_RUN * 6 + 30)) --json "$WORK/run.json" > "$WORK/run.out" \
      || { cat "$WORK/run.out" >&2; exit 1; }
    after=$(cpu_ticks "$SERVER_PID")
    python3 - "$WORK/run.json" "$server" "$shape" "$((after - before))" "$TICKS_PER_SECOND" >> "$RESULTS" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
ticks, per_second = int(sys.argv[4]), int(sys.argv[5])
cpu = ticks / per_second
print(json.dumps({
    "server": sys.argv[2], "shape": sys.argv[3], "clients": run["clients"], "streams": run["streams"],
    "requests": run["requests"], "seconds": run["seconds"], "rpcPerSecond": run["rpcPerSecond"],
    "serverCPUSeconds": cpu, "serverCPUMicrosPerRPC": cpu / run["requests"] * 1e6,
    "serverCores": cpu / run["seconds"] if run["seconds"] else 0,
}))
PY
    tail -n 1 "$RESULTS" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("   %6s: %10s RPC/s  %6.1f µs CPU/RPC  (%d RPCs in %.1f s, server %.2f cores)" % (r["shape"],
      format(round(r["rpcPerSecond"]), ","), r["serverCPUMicrosPerRPC"], r["requests"], r["seconds"], r["serverCores"]))'
  done
  stop_all
done

python3 - "$RESULTS" "$OUT" <<'PY'
import json, os, platform, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
by = {(r["server"], r["shape"]): r for r in rows}
shapes = list(dict.fromkeys(r["shape"] for r in rows))
servers = list(dict.fromkeys(r["server"] for r in rows))
print()
print(f"{'server':<12} {'shape':>6} {'RPC/s':>10} {'CPU µs/RPC':>11} {'RPC/s vs go':>12} {'CPU vs go':>10}")
for server in servers:
    for shape in shapes:
        r = by.get((server, shape))
        if not r:
            continue
        go = by.get(("go", shape))
        ratio = f"{r['rpcPerSecond'] / go['rpcPerSecond']:.2f}" if go else "-"
        cpu = f"{r['serverCPUMicrosPerRPC'] / go['serverCPUMicrosPerRPC']:.2f}" if go and go["serverCPUMicrosPerRPC"] else "-"
        print(f"{server:<12} {shape:>6} {r['rpcPerSecond']:>10,.0f} {r['serverCPUMicrosPerRPC']:>11.1f} {ratio:>12} {cpu:>10}")
if sys.argv[2]:
    cpu_model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
    json.dump({
        "machine": {"cores": os.cpu_count(), "cpu": cpu_model, "kernel": platform.release()},
        "runs": rows,
    }, open(sys.argv[2], "w"), indent=2)
    print(f"\nwrote {sys.argv[2]}")
PY
