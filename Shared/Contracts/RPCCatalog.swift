import GRPCCore
import GRPCProtobuf
import SwiftProtobuf

/// The suite's unary RPCs, for callers that choose a method at run time and speak the protobuf
/// JSON mapping (the `crm` command). The list itself is generated (`RPCCatalog+Methods.swift`).
public enum RPCCatalog {
  /// The methods of one service (e.g. `crm.segmentation.v1.SegmentationService`), in
  /// declaration order.
  public static func methods(ofService fullyQualifiedService: String) -> [any RPCMethodInfo] {
    methods.filter { $0.descriptor.service.fullyQualifiedService == fullyQualifiedService }
  }
}

/// One unary RPC: its descriptor, and a call that takes and returns protobuf JSON.
public protocol RPCMethodInfo: Sendable {
  /// The method's descriptor (service and method name).
  var descriptor: MethodDescriptor { get }
  /// The fully qualified protobuf name of the request message.
  var requestMessageName: String { get }
  /// Parses `requestJSON` (protobuf JSON mapping) as the request, calls the method and returns
  /// the response as protobuf JSON. A body that does not parse throws before any call is made.
  func call<Transport: ClientTransport>(
    _ client: GRPCClient<Transport>, requestJSON: String, options: CallOptions
  ) async throws -> String
}

/// A unary RPC with its request and response types.
public struct UnaryRPCMethod<Input: SwiftProtobuf.Message & Sendable, Output: SwiftProtobuf.Message & Sendable>:
  RPCMethodInfo
{
  public let descriptor: MethodDescriptor

  /// Describes the method `descriptor` taking `Input` and returning `Output`.
  public init(_ descriptor: MethodDescriptor, _ input: Input.Type, _ output: Output.Type) {
    self.descriptor = descriptor
  }

  public var requestMessageName: String { Input.protoMessageName }

  public func call<Transport: ClientTransport>(
    _ client: GRPCClient<Transport>, requestJSON: String, options: CallOptions
  ) async throws -> String {
    let request = try Input(jsonString: requestJSON)
    return try await client.unary(
      request: ClientRequest(message: request), descriptor: descriptor,
      serializer: ProtobufSerializer<Input>(), deserializer: ProtobufDeserializer<Output>(), options: options
    ) { response in
      var encoding = JSONEncodingOptions()
      encoding.alwaysPrintEnumsAsInts = false
      encoding.useDeterministicOrdering = true
      return try response.message.jsonString(options: encoding)
    }
  }
}
