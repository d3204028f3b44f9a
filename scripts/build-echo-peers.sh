#!/usr/bin/env bash
# Builds the echo peers: crm.bench.v1.EchoService served by Go gRPC and by C++ gRPC, from the
# same proto/crm/bench/v1/echo.proto as the Swift echo server. Generated code goes into the
# build directory only (never into the tree).
#
#   scripts/build-echo-peers.sh          -> .build/echo-peers/echo-peer-go, .build/echo-peers/echo-peer-cpp
#
# Needs the Debian packages golang-go, golang-google-grpc-dev, golang-goprotobuf-dev,
# protobuf-compiler, libgrpc++-dev, protobuf-compiler-grpc, pkg-config. Go builds offline in
# GOPATH mode against /usr/share/gocode. Idempotent: a peer is rebuilt only when its source,
# the proto or this script is newer than its binary.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/.build/echo-peers"
PROTO_DIR="$ROOT/proto/crm/bench/v1"
PROTO="$PROTO_DIR/echo.proto"
SCRIPT="$ROOT/scripts/build-echo-peers.sh"
mkdir -p "$OUT"

# True when $1 is missing or older than any of the other arguments.
stale() {
  local target=$1; shift
  [[ -e $target ]] || return 0
  local source
  for source in "$@"; do
    [[ $source -nt $target ]] && return 0
  done
  return 1
}

build_go() {
  local source="$ROOT/Benchmarks/EchoPeers/go/main.go"
  local binary="$OUT/echo-peer-go"
  if ! stale "$binary" "$source" "$PROTO" "$SCRIPT"; then
    echo "echo-peer-go: up to date"
    return
  fi
  local gopath="$OUT/go/gopath"
  local package="$gopath/src/crmecho"
  rm -rf "$package"
  mkdir -p "$package/echopb" "$package/cmd/echo-peer-go" "$OUT/go/cache"
  # protoc-gen-go 1.3 (Debian's) generates messages and the service in one file.
  protoc -I "$PROTO_DIR" --go_out=plugins=grpc,paths=source_relative:"$package/echopb" "$PROTO"
  cp "$source" "$package/cmd/echo-peer-go/main.go"
  (
    cd "$package/cmd/echo-peer-go"
    GO111MODULE=off GOFLAGS= GOPROXY=off GOPATH="$gopath:/usr/share/gocode" \
      GOCACHE="$OUT/go/cache" go build -o "$binary.tmp" .
  )
  mv "$binary.tmp" "$binary"
  echo "echo-peer-go: built $binary"
}

build_cpp() {
  local source="$ROOT/Benchmarks/EchoPeers/cpp/echo_peer.cc"
  local binary="$OUT/echo-peer-cpp"
  if ! stale "$binary" "$source" "$PROTO" "$SCRIPT"; then
    echo "echo-peer-cpp: up to date"
    return
  fi
  local generated="$OUT/cpp/gen"
  rm -rf "$generated"
  mkdir -p "$generated"
  protoc -I "$PROTO_DIR" --cpp_out="$generated" --grpc_out="$generated" \
    --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" "$PROTO"
  # shellcheck disable=SC2046
  g++ -std=c++17 -O2 -DNDEBUG -I "$generated" \
    "$source" "$generated/echo.pb.cc" "$generated/echo.grpc.pb.cc" \
    -o "$binary.tmp" $(pkg-config --cflags --libs grpc++ protobuf) -lpthread
  mv "$binary.tmp" "$binary"
  echo "echo-peer-cpp: built $binary"
}

build_go
build_cpp
