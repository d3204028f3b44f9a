import Contracts
import Foundation
import GRPCCore
import ServiceKitTesting
import SwiftProtobuf
import Synchronization
import Testing

@testable import ServiceKit

@Suite("Health and reflection through the generated clients")
struct HealthAndReflectionTests {
  static let serviceName = "crm.trust.v1.TrustService"

  @Test("Check: SERVING per name and for the server, NOT_FOUND for an unknown name")
  func check() async throws {
    let board = HealthStatusBoard(services: [Self.serviceName])
    board.setAll(.serving)
    try await withInProcessServer([HealthService(board: board, storeProbe: { true })]) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let named = try await health.check(.with { $0.service = Self.serviceName })
      #expect(named.status == .serving)
      let server = try await health.check(.init())
      #expect(server.status == .serving)
      let error = await #expect(throws: RPCError.self) { try await health.check(.with { $0.service = "nope" }) }
      #expect(error?.code == .notFound)
    }
  }

  @Test("Check: NOT_SERVING when the store cannot be read")
  func storeDown() async throws {
    let board = HealthStatusBoard(services: [Self.serviceName])
    board.setAll(.serving)
    let readable = Mutex(true)
    let service = HealthService(board: board, storeProbe: { readable.withLock { $0 } })
    try await withInProcessServer([service]) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let before = try await health.check(.init())
      #expect(before.status == .serving)
      readable.withLock { $0 = false }
      let after = try await health.check(.init())
      #expect(after.status == .notServing)
    }
  }

  @Test("Watch: the current status, then each change")
  func watch() async throws {
    let board = HealthStatusBoard(services: [Self.serviceName])
    try await withInProcessServer([HealthService(board: board, storeProbe: { true })]) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let seen = try await health.watch(.with { $0.service = Self.serviceName }) { response in
        var seen: [Grpc_Health_V1_HealthCheckResponse.ServingStatus] = []
        for try await message in response.messages {
          seen.append(message.status)
          if seen.count == 1 { board.setAll(.serving) }
          if seen.count == 2 { board.setAll(.notServing) }
          if seen.count == 3 { break }
        }
        return seen
      }
      #expect(seen == [.notServing, .serving, .notServing])
    }
  }

  @Test("Watch of an unknown name says SERVICE_UNKNOWN")
  func watchUnknown() async throws {
    let board = HealthStatusBoard(services: [])
    try await withInProcessServer([HealthService(board: board, storeProbe: { true })]) { client in
      let health = Grpc_Health_V1_Health.Client(wrapping: client)
      let first = try await health.watch(.with { $0.service = "other" }) { response -> Grpc_Health_V1_HealthCheckResponse.ServingStatus? in
        for try await message in response.messages { return message.status }
        return nil
      }
      #expect(first == .serviceUnknown)
    }
  }

  func reflect(
    _ client: GRPCClient<some ClientTransport>,
    _ requests: [Grpc_Reflection_V1_ServerReflectionRequest]
  ) async throws -> [Grpc_Reflection_V1_ServerReflectionResponse] {
    let reflection = Grpc_Reflection_V1_ServerReflection.Client(wrapping: client)
    return try await reflection.serverReflectionInfo(
      requestProducer: { writer in try await writer.write(contentsOf: requests) }
    ) { response in
      try await response.messages.reduce(into: []) { $0.append($1) }
    }
  }

  @Test("v1: lists the services and returns the file of a symbol with its imports")
  func reflectionV1() async throws {
    let reflection = try ReflectionService(serviceNames: [Self.serviceName, "grpc.health.v1.Health"])
    try await withInProcessServer(reflection.services) { client in
      let responses = try await reflect(
        client,
        [
          .with { $0.listServices = "" },
          .with { $0.fileContainingSymbol = "crm.trust.v1.TrustService.CreateReview" },
          .with { $0.fileByFilename = "crm/trust/v1/trust.proto" },
          .with { $0.fileContainingSymbol = "crm.trust.v1.Nope" },
        ])
      #expect(responses.count == 4)
      #expect(responses[0].listServicesResponse.service.map(\.name) == ["crm.trust.v1.TrustService", "grpc.health.v1.Health"])

      let files = try responses[1].fileDescriptorResponse.fileDescriptorProto.map {
        try Google_Protobuf_FileDescriptorProto(serializedBytes: $0)
      }
      #expect(files.first?.name == "crm/trust/v1/trust.proto")
      #expect(files.first?.service.first?.method.map(\.name).contains("CreateReview") == true)
      // Every import comes along, so a client can build the descriptors with nothing else.
      #expect(Set(files.map(\.name)).isSuperset(of: ["crm/common/v1/common.proto", "google/protobuf/timestamp.proto"]))
      #expect(responses[2].fileDescriptorResponse.fileDescriptorProto.count == files.count)
      #expect(responses[3].errorResponse.errorCode == Int32(RPCError.Code.notFound.rawValue))
    }
  }

  @Test("v1alpha answers the same as v1")
  func reflectionV1Alpha() async throws {
    let reflection = try ReflectionService(serviceNames: [Self.serviceName])
    try await withInProcessServer(reflection.services) { client in
      let alpha = Grpc_Reflection_V1alpha_ServerReflection.Client(wrapping: client)
      let names = try await alpha.serverReflectionInfo(
        requestProducer: { try await $0.write(.with { $0.listServices = "*" }) }
      ) { response in
        var names: [String] = []
        for try await message in response.messages { names += message.listServicesResponse.service.map(\.name) }
        return names
      }
      #expect(names == [Self.serviceName])
    }
  }

  @Test("nested messages, enums and methods are all symbols")
  func symbols() throws {
    let index = try DescriptorIndex(ContractDescriptors.fileDescriptorSet())
    #expect(index.file(declaring: "grpc.health.v1.HealthCheckResponse.ServingStatus") == "grpc/health/v1/health.proto")
    #expect(index.file(declaring: ".crm.loyalty.v1.LoyaltyService.EarnPoints") == "crm/loyalty/v1/loyalty.proto")
    #expect(index.file(declaring: "crm.common.v1.Money") == "crm/common/v1/common.proto")
    #expect(index.extensionNumbers(of: "crm.common.v1.Money") == [])
    #expect(index.extensionNumbers(of: "no.Such") == nil)
  }
}
