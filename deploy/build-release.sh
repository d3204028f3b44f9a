#!/usr/bin/env bash
# The one release build of a service executable, shared by deploy/Dockerfile and
# Tests/Deploy/test_release_build.py so the image and the test cannot build differently.
#
#   deploy/build-release.sh SERVICE [DEST]
#
# SERVICE is one of the five products (trust-service...). The Swift runtime (stdlib, Foundation,
# Dispatch) is linked statically, so the binary needs only glibc, libstdc++ and the system
# SQLite (GRDB links libsqlite3) at run time: the runtime image stays a plain Debian slim.
# With DEST the binary is copied to DEST/SERVICE without its debug info (about 190 MB -> 120 MB;
# the symbol table stays, so crash backtraces still name functions). The last stdout line is the
# path of the binary to run.
set -euo pipefail
cd "$(dirname "$0")/.."

services=(segmentation-service interaction-service feedback-service trust-service loyalty-service)
service="${1:-}"
if [[ ! " ${services[*]} " == *" ${service} "* ]] || [[ -z "$service" ]]; then
  echo "usage: $0 SERVICE [DEST]; SERVICE is one of: ${services[*]}" >&2
  exit 2
fi

flags=(-c release --static-swift-stdlib)
swift build "${flags[@]}" --product "$service" >&2
binary="$(swift build "${flags[@]}" --show-bin-path)/$service"

if [[ -n "${2:-}" ]]; then
  install -D -m 0755 "$binary" "$2/$service"
  binary="$2/$service"
  strip --strip-debug "$binary"
fi
echo "$binary"
