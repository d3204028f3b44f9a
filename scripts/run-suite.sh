#!/usr/bin/env bash
# Runs the five services on loopback with their stores under ./data (or $CRM_DATA_DIR),
# each log line prefixed with its service. Ctrl-C (or SIGTERM) stops them all gracefully:
# each gets SIGTERM, reports NOT_SERVING, finishes its in-flight RPCs and exits.
set -euo pipefail
cd "$(dirname "$0")/.."

data="${CRM_DATA_DIR:-./data}"
bin="$(swift build --show-bin-path)"
services=(segmentation interaction feedback trust loyalty)
colors=(31 32 33 34 35)
pids=()

stop() {
  trap - INT TERM
  echo "stopping the suite..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "stopped."
}
trap stop INT TERM

for i in "${!services[@]}"; do
  name="${services[$i]}"
  color="${colors[$i]}"
  prefix=$(printf '\033[%sm%-12s\033[0m|' "$color" "$name")
  # The prefixer ignores Ctrl-C so that it still forwards the services' last log lines.
  "$bin/$name-service" --data-dir "$data" > >(trap '' INT TERM; exec sed -u "s/^/$prefix /") 2>&1 &
  pids+=("$!")
done

echo "suite starting: segmentation :50051, interaction :50052, feedback :50053, trust :50054, loyalty :50055 (Ctrl-C stops)"
# Any service that dies is reported with its exit status; the others keep running.
while true; do
  for i in "${!pids[@]}"; do
    pid="${pids[$i]}"
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      status=0; wait "$pid" || status=$?
      echo "${services[$i]}-service exited with status $status"
      pids[$i]=""
    fi
  done
  alive=0; for pid in "${pids[@]}"; do [ -n "$pid" ] && alive=1; done
  [ "$alive" -eq 1 ] || break
  sleep 1 &
  wait $! || true
done
