#!/bin/sh
# grpc-health-check [PORT]: exit 0 only when grpc.health.v1.Health/Check for the server as a
# whole (service "") answers SERVING on 127.0.0.1:PORT (default $CRM_PORT).
#
# The container's HEALTHCHECK and compose use it, and so do overlays/prod's probes: Kubernetes'
# built-in grpc probe speaks cleartext HTTP/2 only, so a service with TLS on is probed with this
# script as an exec probe instead (dev keeps the built-in probe).
#
# It speaks gRPC with curl rather than shipping a prebuilt grpc_health_probe: the request is the
# 5-byte gRPC frame of an empty HealthCheckRequest (uncompressed, length 0), and the only passing
# answer is the frame of HealthCheckResponse{status: SERVING}: 00 00000002 0801. NOT_SERVING
# (0802), an error status (empty body, grpc-status in the trailers), a refused connection, a
# failed TLS handshake or a timeout all fail.
#
# Cleartext HTTP/2 unless the service's own TLS settings are in the environment (as they are for
# the service itself in the image and in a pod):
# - CRM_TLS_CERT_FILE and CRM_TLS_KEY_FILE set: HTTPS (HTTP/2 by ALPN), presenting that
#   certificate as the client certificate, so a service that requires one (mTLS,
#   CRM_TLS_CLIENT_CA_FILE) lets the check in; Health itself needs no token.
# - The server's certificate is verified against CRM_TLS_CA_FILE, else CRM_TLS_CLIENT_CA_FILE,
#   else curl's default trust store, for the name GRPC_HEALTH_CHECK_SERVER_NAME, else the
#   service's own name ($SERVICE without "-service", as the image sets it: trust-service ->
#   trust), which the certificate carries as a DNS SAN; that name is resolved to 127.0.0.1.
set -eu
port="${1:-${CRM_PORT:?usage: grpc-health-check PORT (or set CRM_PORT)}}"
path=/grpc.health.v1.Health/Check
if [ -n "${CRM_TLS_CERT_FILE:-}" ]; then
  key="${CRM_TLS_KEY_FILE:?CRM_TLS_CERT_FILE is set without CRM_TLS_KEY_FILE}"
  name="${GRPC_HEALTH_CHECK_SERVER_NAME:-${SERVICE:-localhost}}"
  name="${name%-service}"
  set -- --http2 --resolve "${name}:${port}:127.0.0.1" --cert "$CRM_TLS_CERT_FILE" --key "$key"
  ca="${CRM_TLS_CA_FILE:-${CRM_TLS_CLIENT_CA_FILE:-}}"
  if [ -n "$ca" ]; then
    set -- "$@" --cacert "$ca"
  fi
  url="https://${name}:${port}${path}"
else
  set -- --http2-prior-knowledge
  url="http://127.0.0.1:${port}${path}"
fi
answer=$(printf '\000\000\000\000\000' \
  | curl --silent --show-error --fail --max-time 3 --noproxy '*' "$@" \
      --header 'content-type: application/grpc' --header 'te: trailers' \
      --data-binary @- "$url" \
  | od -An -v -tx1 | tr -d ' \n')
if [ "$answer" != "00000000020801" ]; then
  echo "grpc-health-check: ${url} is not SERVING (response frame: '${answer}')" >&2
  exit 1
fi
