// Command echo-peer-go serves crm.bench.v1.EchoService with Go's gRPC: the Go peer that
// scripts/bench-transport.sh measures beside the Swift echo server (`crm echo-server`).
//
// Built offline in GOPATH mode by scripts/build-echo-peers.sh, which generates the message
// and service code from proto/crm/bench/v1/echo.proto into its build directory.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	pb "crmecho/echopb"

	"google.golang.org/grpc"
)

// echoServer returns the payload as sent, like the Swift baseline.
type echoServer struct{}

func (echoServer) Echo(_ context.Context, request *pb.EchoRequest) (*pb.EchoResponse, error) {
	return &pb.EchoResponse{Payload: request.Payload}, nil
}

func main() {
	host := flag.String("host", "127.0.0.1", "host or IP to listen on")
	port := flag.Int("port", 0, "TCP port; 0 picks a free one")
	flag.Parse()

	listener, err := net.Listen("tcp", net.JoinHostPort(*host, fmt.Sprint(*port)))
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	server := grpc.NewServer()
	pb.RegisterEchoServiceServer(server, echoServer{})

	// Stop on SIGTERM/SIGINT so the bench script's trap ends it cleanly.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		server.Stop()
	}()

	fmt.Printf("echo-peer-go listening on %s\n", listener.Addr())
	if err := server.Serve(listener); err != nil && err != grpc.ErrServerStopped {
		log.Fatalf("serve: %v", err)
	}
}
