#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks to build, run and test the suite:
# Debian's protoc (codegen check) and SQLite headers (GRDB over the system SQLite), and the
# Python packages of the grpcio interop test. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v protoc >/dev/null || need_apt+=(protobuf-compiler)
command -v curl >/dev/null || need_apt+=(curl)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || need_apt+=(libsqlite3-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing Debian packages: ${need_apt[*]}; run: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  echo "installing ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ "${1:-}" = "--with-python" ]; then
  if ! python3 -c 'import grpc, grpc_tools, grpc_reflection, kubernetes_validate, yaml, pytest, cryptography' 2>/dev/null; then
    echo "installing the interop and deploy tests' Python packages"
    python3 -m pip install -q -r Tests/Interop/requirements.txt -r Tests/Deploy/requirements.txt
  fi
  # The deploy tests render the overlays with kubectl; this machine kind ships it, Debian's
  # main archive does not.
  command -v kubectl >/dev/null || { echo "error: kubectl not found (needed by Tests/Deploy): install it from pkgs.k8s.io" >&2; exit 1; }
fi
