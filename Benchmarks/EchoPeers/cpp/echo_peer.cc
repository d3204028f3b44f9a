// echo-peer-cpp serves crm.bench.v1.EchoService with C++ gRPC (the callback API, gRPC's
// recommended server model): the C++ peer that scripts/bench-transport.sh measures beside the
// Swift echo server (`crm echo-server`).
//
// Built by scripts/build-echo-peers.sh, which generates the message and service code from
// proto/crm/bench/v1/echo.proto into its build directory.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "echo.grpc.pb.h"

namespace {

// Returns the payload as sent, like the Swift baseline; completes on the transport's thread.
class EchoService final : public crm::bench::v1::EchoService::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const crm::bench::v1::EchoRequest* request,
                                 crm::bench::v1::EchoResponse* response) override {
    response->set_payload(request->payload());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

void usage() {
  std::fprintf(stderr, "usage: echo-peer-cpp [--host HOST] [--port PORT]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1";
  int port = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
      host = argv[++i];
    } else if (std::strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else {
      usage();
    }
  }

  // Block the stop signals before any gRPC thread starts, so only the waiter below takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  EchoService service;
  int bound_port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(host + ":" + std::to_string(port), grpc::InsecureServerCredentials(),
                           &bound_port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    std::fprintf(stderr, "echo-peer-cpp: cannot listen on %s:%d\n", host.c_str(), port);
    return 1;
  }
  std::printf("echo-peer-cpp listening on %s:%d\n", host.c_str(), bound_port);
  std::fflush(stdout);

  std::thread stopper([&] {
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    server->Shutdown();
  });
  server->Wait();
  stopper.join();
  return 0;
}
