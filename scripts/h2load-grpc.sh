#!/usr/bin/env bash
# Raw HTTP/2 load on one unary gRPC method with h2load (Debian nghttp2-client), checked so that
# gRPC errors are never counted as successes.
#
#   scripts/h2load-grpc.sh HOST:PORT [options]
#
#   --rpc PATH            /package.Service/Method      (default /crm.bench.v1.EchoService/Echo)
#   --proto FILE          proto file under proto/      (default crm/bench/v1/echo.proto)
#   --request-type T      request message type         (default crm.bench.v1.EchoRequest)
#   --response-type T     response message type, to print the pre-flight reply
#                                                      (default crm.bench.v1.EchoResponse)
#   --request TEXT        request in protobuf text format (default: a 64-byte payload, as
#                         `crm load echo` sends)
#   --request-file FILE   the same, read from FILE (for requests too long for a command line)
#   -c N  -m N  -n N  -t N  h2load's clients, streams in flight per client, requests, threads
#                         (defaults 1, 128, 100000, 1)
#   --time-limit S        kill h2load after S seconds (default 120); the run then fails
#   --json FILE           also write the figures as JSON
#   --no-preflight --reply-bytes N
#                         skip the pre-flight and take N (5 + message bytes) as the expected
#                         reply size: only to show that the byte check alone catches errors
#
# Why a plain h2load count is not enough: a gRPC error is still HTTP 200 (the status travels in
# grpc-status), so h2load counts it as a success. The check has two parts:
#   1. Pre-flight: one request with curl (HTTP/2 prior knowledge) must come back with
#      grpc-status 0 and a body that is one length-prefixed message; its size (5 + N bytes) is
#      the expected response size.
#   2. After the run: every request must have succeeded at the HTTP level, and h2load's received
#      DATA bytes must equal succeeded x expected response size. An error response carries no
#      message (unary errors are trailers-only), so any error makes the bytes come up short.
# (This assumes the method's reply to this request has the same size every time, as a read or
# an echo does.) Exit status: 0 when the run is clean, 1 when a check fails, 2 on bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RPC=/crm.bench.v1.EchoService/Echo
PROTO=crm/bench/v1/echo.proto
REQUEST_TYPE=crm.bench.v1.EchoRequest
RESPONSE_TYPE=crm.bench.v1.EchoResponse
REQUEST="payload: \"$(printf '*%.0s' $(seq 64))\""
CLIENTS=1 STREAMS=128 COUNT=100000 THREADS=1 TIME_LIMIT=120 JSON=""
PREFLIGHT=yes REPLY_BYTES=""
TARGET=""

usage() { sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while (($#)); do
  case $1 in
    --rpc) RPC=$2; shift 2 ;;
    --proto) PROTO=$2; shift 2 ;;
    --request-type) REQUEST_TYPE=$2; shift 2 ;;
    --response-type) RESPONSE_TYPE=$2; shift 2 ;;
    --request) REQUEST=$2; shift 2 ;;
    --request-file) REQUEST=$(cat "$2"); shift 2 ;;
    -c) CLIENTS=$2; shift 2 ;;
    -m) STREAMS=$2; shift 2 ;;
    -n) COUNT=$2; shift 2 ;;
    -t) THREADS=$2; shift 2 ;;
    --time-limit) TIME_LIMIT=$2; shift 2 ;;
    --json) JSON=$2; shift 2 ;;
    --no-preflight) PREFLIGHT=no; shift ;;
    --reply-bytes) REPLY_BYTES=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) [[ -z $TARGET ]] || usage; TARGET=$1; shift ;;
  esac
done
[[ -n $TARGET ]] || usage
for number in "$CLIENTS" "$STREAMS" "$COUNT" "$THREADS" "$TIME_LIMIT"; do
  [[ $number =~ ^[1-9][0-9]*$ ]] || { echo "not a positive count: $number" >&2; exit 2; }
done
[[ $PREFLIGHT == yes || $REPLY_BYTES =~ ^[1-9][0-9]*$ ]] || { echo "--no-preflight needs --reply-bytes N" >&2; exit 2; }
URL="http://$TARGET$RPC"

WORK=$(mktemp -d /tmp/h2load-grpc.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The request body: 1 byte "not compressed", 4 bytes big-endian length, the message.
printf '%s\n' "$REQUEST" | protoc -I "$ROOT/proto" --encode="$REQUEST_TYPE" "$ROOT/proto/$PROTO" > "$WORK/message"
python3 - "$WORK/message" "$WORK/body" <<'PY'
import struct, sys
message = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b"\x00" + struct.pack(">I", len(message)) + message)
PY

fail() { echo "h2load-grpc: FAIL: $*" >&2; exit 1; }

# 1. Pre-flight.
if [[ $PREFLIGHT == no ]]; then
  echo "pre-flight: skipped; expecting $REPLY_BYTES-byte replies"
else
curl -sS --http2-prior-knowledge --max-time 10 -X POST \
  -H 'content-type: application/grpc' -H 'te: trailers' \
  --data-binary @"$WORK/body" -D "$WORK/headers" -o "$WORK/reply" "$URL" \
  || fail "pre-flight request to $URL did not complete"
http_status=$(awk 'toupper($1) ~ /^HTTP\// { code = $2 } END { print code }' "$WORK/headers")
grpc_status=$(tr -d '\r' < "$WORK/headers" | awk -F': *' 'tolower($1) == "grpc-status" { code = $2 } END { print code }')
grpc_message=$(tr -d '\r' < "$WORK/headers" | awk -F': *' 'tolower($1) == "grpc-message" { text = $2 } END { print text }')
[[ $http_status == 200 ]] || fail "pre-flight: HTTP status $http_status"
[[ $grpc_status == 0 ]] || fail "pre-flight: grpc-status '${grpc_status:-missing}' ${grpc_message:+($grpc_message)} from $RPC"
REPLY_BYTES=$(stat -c %s "$WORK/reply")
python3 - "$WORK/reply" "$WORK/reply-message" <<'PY' || fail "pre-flight: the reply is not one uncompressed length-prefixed message"
import struct, sys
body = open(sys.argv[1], "rb").read()
if len(body) < 5 or body[0] != 0 or struct.unpack(">I", body[1:5])[0] != len(body) - 5:
    sys.exit(1)
open(sys.argv[2], "wb").write(body[5:])
PY
if [[ -n $RESPONSE_TYPE ]]; then
  reply_text=$(protoc -I "$ROOT/proto" --decode="$RESPONSE_TYPE" "$ROOT/proto/$PROTO" < "$WORK/reply-message" | tr '\n' ' ')
  echo "pre-flight: grpc-status 0, reply $REPLY_BYTES bytes: ${reply_text:0:120}"
else
  echo "pre-flight: grpc-status 0, reply $REPLY_BYTES bytes"
fi
fi

# 2. The run.
echo "h2load: $URL -c $CLIENTS -m $STREAMS -n $COUNT -t $THREADS (request $(stat -c %s "$WORK/body") bytes)"
set +e
timeout --kill-after=5 "$TIME_LIMIT" h2load -n "$COUNT" -c "$CLIENTS" -m "$STREAMS" -t "$THREADS" \
  -H 'content-type: application/grpc' -H 'te: trailers' -d "$WORK/body" "$URL" > "$WORK/h2load.out" 2>&1
h2load_exit=$?
set -e
grep -E '^(finished in|requests:|status codes:|traffic:|time for request:)' "$WORK/h2load.out" || true
((h2load_exit == 0)) || { cat "$WORK/h2load.out" >&2; fail "h2load exited with $h2load_exit (124: over --time-limit)"; }

# "finished in 336.02ms, 59520.44 req/s, ...": the duration comes in s, ms or us.
read -r seconds rate < <(awk '/^finished in/ {
  value = $3; sub(/,$/, "", value); scale = 1
  if (value ~ /ms$/) scale = 1e-3; else if (value ~ /us$/) scale = 1e-6
  sub(/[mu]?s$/, "", value); printf "%.6f %s\n", value * scale, $4 }' "$WORK/h2load.out")
read -r total succeeded failed errored < <(awk '/^requests:/ { print $2, $8, $10, $12 }' "$WORK/h2load.out")
status_2xx=$(awk '/^status codes:/ { print $3 }' "$WORK/h2load.out")
data_bytes=$(sed -nE 's/^traffic:.* \(([0-9]+)\) data$/\1/p' "$WORK/h2load.out")
[[ -n $succeeded && -n $data_bytes && -n $rate ]] || { cat "$WORK/h2load.out" >&2; fail "cannot read h2load's summary"; }
expected_bytes=$((succeeded * REPLY_BYTES))

verdict=ok
problem=""
if ((succeeded != COUNT || status_2xx != COUNT)); then
  verdict=fail; problem="$succeeded of $COUNT requests succeeded ($status_2xx with 2xx; $failed failed, $errored errored)"
elif ((data_bytes != expected_bytes)); then
  verdict=fail
  problem="received $data_bytes response bytes, expected $expected_bytes ($succeeded x $REPLY_BYTES): about $(((expected_bytes - data_bytes) / REPLY_BYTES)) replies carried no message (gRPC errors)"
fi

if [[ -n $JSON ]]; then
  python3 - "$JSON" <<PY
import json, sys
json.dump({
  "target": "$TARGET", "rpc": "$RPC", "clients": $CLIENTS, "streams": $STREAMS, "threads": $THREADS,
  "requests": $COUNT, "succeeded": $succeeded, "seconds": $seconds, "rpcPerSecond": $rate,
  "replyBytes": $REPLY_BYTES, "dataBytes": $data_bytes, "expectedDataBytes": $expected_bytes,
  "verdict": "$verdict",
}, open(sys.argv[1], "w"), indent=2)
PY
fi

[[ $verdict == ok ]] || fail "$problem"
echo "h2load-grpc: OK: $succeeded RPCs, all grpc-status 0 by size ($data_bytes bytes = $succeeded x $REPLY_BYTES), $rate RPC/s"
