#!/usr/bin/env bash
# The per-RPC cost of TLS and of token checks under load: four loyalty processes side by side
# (plaintext, TLS, TLS + bearer token, mTLS + token) over empty stores on loopback, loaded in
# turn with the same read (`crm load loyalty --mix balance=1`), ROUNDS rounds interleaved so that
# drift on the machine touches all four alike. Prints RPC/s, server CPU per RPC (from
# /proc/<pid>/stat) and p99 per run, then the medians.
#
#   scripts/bench-auth.sh [BIN_DIR]      (default: .build/release; build it with
#                                          swift build -c release --product loyalty-service --product crm)
set -euo pipefail
bin="${1:-.build/release}"
rounds="${ROUNDS:-3}"
seconds="${SECONDS_PER_RUN:-8}"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$bin/crm" dev-credentials --dir "$work/pki" >/dev/null
pki="$work/pki"
tls=(--tls-cert-file "$pki/services/loyalty.pem" --tls-key-file "$pki/services/loyalty.key")
declare -A server_args=(
  [plain]=""
  [tls]="${tls[*]}"
  [token]="${tls[*]} --auth-jwt-keys-file $pki/jwt/jwks.json"
  [mtls]="${tls[*]} --tls-client-ca-file $pki/ca.pem --auth-jwt-keys-file $pki/jwt/jwks.json"
)
declare -A client_args=(
  [plain]="--plaintext"
  [tls]="--tls-ca-file $pki/ca.pem"
  [token]="--tls-ca-file $pki/ca.pem --token-file $pki/tokens/operator.jwt"
  [mtls]="--tls-ca-file $pki/ca.pem --tls-cert-file $pki/clients/operator.pem --tls-key-file $pki/clients/operator.key --token-file $pki/tokens/operator.jwt"
)
declare -A port pid
for name in plain tls token mtls; do
  # shellcheck disable=SC2086
  "$bin/loyalty-service" --port 0 --metrics-port 0 --log-level warning --data-dir "$work/$name" \
    ${server_args[$name]} >"$work/$name.out" 2>"$work/$name.err" &
  pid[$name]=$!
  pids+=("$!")
done
for name in plain tls token mtls; do
  for _ in $(seq 100); do grep -q "listening on" "$work/$name.out" && break; sleep 0.1; done
  port[$name]=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$work/$name.out")
done

tick=$(getconf CLK_TCK)
printf '%-6s %5s %10s %14s %10s\n' setup round "RPC/s" "CPU/RPC (us)" "p99 (ms)"
for round in $(seq "$rounds"); do
  for name in plain tls token mtls; do
    before=$(awk '{print $14+$15}' "/proc/${pid[$name]}/stat")
    # shellcheck disable=SC2086
    "$bin/crm" load loyalty --addr "127.0.0.1:${port[$name]}" --mix balance=1 --concurrency 128 \
      --duration "$seconds" ${client_args[$name]} --out "$work/$name-$round.json" >/dev/null
    after=$(awk '{print $14+$15}' "/proc/${pid[$name]}/stat")
    python3 - "$work/$name-$round.json" "$name" "$round" "$before" "$after" "$tick" >>"$work/rows" <<'PY'
import json, sys
path, name, rnd, before, after, tick = sys.argv[1:]
result = json.load(open(path))
ok = result["ok"]
cpu_us = (int(after) - int(before)) / int(tick) / max(ok, 1) * 1e6
p99 = result["latencyMicroseconds"]["p99"] / 1000
print(f"{name} {rnd} {result['throughput']:.0f} {cpu_us:.0f} {p99:.1f}")
PY
    tail -n 1 "$work/rows" | awk '{printf "%-6s %5s %10s %14s %10s\n", $1, $2, $3, $4, $5}'
  done
done
echo "medians:"
python3 - "$work/rows" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for name in ["plain", "tls", "token", "mtls"]:
    mine = [r for r in rows if r[0] == name]
    print(f"{name:6} {statistics.median(float(r[2]) for r in mine):10.0f} RPC/s {statistics.median(float(r[3]) for r in mine):8.0f} us CPU/RPC")
PY
