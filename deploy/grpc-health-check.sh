#!/bin/sh
# grpc-health-check [PORT]: exit 0 only when grpc.health.v1.Health/Check for the server as a
# whole (service "") answers SERVING on 127.0.0.1:PORT (default $CRM_PORT).
#
# The container's HEALTHCHECK and compose use it; Kubernetes uses its built-in grpc probe instead.
# It speaks gRPC with curl over cleartext HTTP/2 rather than shipping a prebuilt
# grpc_health_probe: the request is the 5-byte gRPC frame of an empty HealthCheckRequest
# (uncompressed, length 0), and the only passing answer is the frame of
# HealthCheckResponse{status: SERVING}: 00 00000002 0801. NOT_SERVING (0802), an error status
# (empty body, grpc-status in the trailers), a refused connection or a timeout all fail.
set -eu
port="${1:-${CRM_PORT:?usage: grpc-health-check PORT (or set CRM_PORT)}}"
answer=$(printf '\000\000\000\000\000' \
  | curl --silent --show-error --fail --max-time 3 --noproxy '*' --http2-prior-knowledge \
      --header 'content-type: application/grpc' --header 'te: trailers' \
      --data-binary @- "http://127.0.0.1:${port}/grpc.health.v1.Health/Check" \
  | od -An -v -tx1 | tr -d ' \n')
if [ "$answer" != "00000000020801" ]; then
  echo "grpc-health-check: 127.0.0.1:${port} is not SERVING (response frame: '${answer}')" >&2
  exit 1
fi
