import GRPCCore

/// The context a handler gets when the benchmark calls it directly, without a transport: the
/// hot path measured is the handler's own work, not the wire's.
enum DirectCall {
  static func context(_ descriptor: MethodDescriptor) -> ServerContext {
    ServerContext(
      descriptor: descriptor, remotePeer: "in-process:benchmark", localPeer: "in-process",
      cancellation: ServerContext.RPCCancellationHandle())
  }
}
