import Contracts
import GRPCCore
import Foundation
import SwiftProtobuf

/// Server reflection, `grpc.reflection.v1` and the older `grpc.reflection.v1alpha` that some
/// tools still ask for, so grpcurl, Postman, Evans and grpc_cli can list, describe and call
/// every RPC without the protos at hand.
///
/// Both versions share one implementation: their messages are identical on the wire, so a
/// v1alpha request is re-read as v1 and the v1 answer re-read as v1alpha.
public struct ReflectionService: Sendable {
  private let index: DescriptorIndex
  private let serviceNames: [String]

  /// Creates the service; `serviceNames` are the fully qualified services this server serves.
  public init(serviceNames: [String]) throws {
    self.index = try DescriptorIndex(ContractDescriptors.fileDescriptorSet())
    self.serviceNames = serviceNames.sorted()
  }

  /// The two registrable services, v1 and v1alpha.
  public var services: [any RegistrableRPCService] {
    [V1(core: self), V1Alpha(core: self)]
  }

  /// The answer to one request of the reflection stream.
  func answer(_ request: Grpc_Reflection_V1_ServerReflectionRequest) -> Grpc_Reflection_V1_ServerReflectionResponse {
    var response = Grpc_Reflection_V1_ServerReflectionResponse()
    response.validHost = request.host
    response.originalRequest = request

    func files(_ serialized: [[UInt8]]?, missing: String) {
      if let serialized {
        response.fileDescriptorResponse.fileDescriptorProto = serialized.map { Data($0) }
      } else {
        response.errorResponse = .with {
          $0.errorCode = Int32(RPCError.Code.notFound.rawValue)
          $0.errorMessage = missing
        }
      }
    }

    switch request.messageRequest {
    case .fileByFilename(let name):
      files(index.fileWithDependencies(named: name), missing: "file '\(name)' not found")
    case .fileContainingSymbol(let symbol):
      files(
        index.file(declaring: symbol).flatMap { index.fileWithDependencies(named: $0) },
        missing: "symbol '\(symbol)' not found")
    case .fileContainingExtension(let ext):
      files(
        index.file(extending: ext.containingType, number: ext.extensionNumber)
          .flatMap { index.fileWithDependencies(named: $0) },
        missing: "extension \(ext.extensionNumber) of '\(ext.containingType)' not found")
    case .allExtensionNumbersOfType(let type):
      if let numbers = index.extensionNumbers(of: type) {
        response.allExtensionNumbersResponse = .with {
          $0.baseTypeName = type
          $0.extensionNumber = numbers
        }
      } else {
        response.errorResponse = .with {
          $0.errorCode = Int32(RPCError.Code.notFound.rawValue)
          $0.errorMessage = "type '\(type)' not found"
        }
      }
    case .listServices:
      response.listServicesResponse = .with {
        $0.service = serviceNames.map { name in .with { $0.name = name } }
      }
    case nil:
      response.errorResponse = .with {
        $0.errorCode = Int32(RPCError.Code.invalidArgument.rawValue)
        $0.errorMessage = "message_request: one of its fields must be set"
      }
    }
    return response
  }

  struct V1: Grpc_Reflection_V1_ServerReflection.SimpleServiceProtocol {
    let core: ReflectionService

    func serverReflectionInfo(
      request: RPCAsyncSequence<Grpc_Reflection_V1_ServerReflectionRequest, any Error>,
      response: RPCWriter<Grpc_Reflection_V1_ServerReflectionResponse>,
      context: ServerContext
    ) async throws {
      for try await message in request {
        try await response.write(core.answer(message))
      }
    }
  }

  struct V1Alpha: Grpc_Reflection_V1alpha_ServerReflection.SimpleServiceProtocol {
    let core: ReflectionService

    func serverReflectionInfo(
      request: RPCAsyncSequence<Grpc_Reflection_V1alpha_ServerReflectionRequest, any Error>,
      response: RPCWriter<Grpc_Reflection_V1alpha_ServerReflectionResponse>,
      context: ServerContext
    ) async throws {
      for try await message in request {
        let v1 = try Grpc_Reflection_V1_ServerReflectionRequest(serializedBytes: message.serializedBytes() as [UInt8])
        let answer = core.answer(v1)
        try await response.write(
          Grpc_Reflection_V1alpha_ServerReflectionResponse(serializedBytes: answer.serializedBytes() as [UInt8]))
      }
    }
  }
}
