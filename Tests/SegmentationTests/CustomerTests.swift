import Contracts
import GRPCCore
import GRPCInProcessTransport
import Logging
import Segmentation
import ServiceKit
import ServiceKitTesting
import Testing

@Suite("Segmentation: profiles through the gRPC client")
struct CustomerTests {
  typealias Client = Crm_Segmentation_V1_SegmentationService.Client<InProcessTransport.Client>

  func withService(_ body: (Client, ManualClock) async throws -> Void) async throws {
    let database = try StoreOpener.inMemory(migrator: SegmentationStore.migrator)
    let clock = ManualClock()
    let service = SegmentationService(store: SegmentationStore(database: database), clock: clock, logger: Logger(label: "test"))
    try await withInProcessServer([service]) { client in try await body(Client(wrapping: client), clock) }
  }

  static let alice = Crm_Segmentation_V1_Customer.with {
    $0.type = .individual
    $0.displayName = "Alice Wang"
    $0.email = "Alice@Example.com"
    $0.phone = "+8613800138000"
    $0.timeZone = "Asia/Shanghai"
    $0.tags = ["parenting", "price-sensitive", "parenting"]
  }

  @Test("create then get returns the profile; the service owns id and times")
  func createAndGet() async throws {
    try await withService { client, clock in
      var input = Self.alice
      input.customerID = "caller-chosen"
      let created = try await client.createCustomer(.with { $0.customer = input }).customer
      #expect(!created.customerID.isEmpty)
      #expect(created.customerID != "caller-chosen")
      #expect(created.email == "alice@example.com")
      #expect(created.tags == ["parenting", "price-sensitive"])
      #expect(created.createTime.date == clock.now())

      let fetched = try await client.getCustomer(.with { $0.customerID = created.customerID }).customer
      #expect(fetched == created)
    }
  }

  @Test("the same idempotency key creates one profile; another body with it is ALREADY_EXISTS")
  func idempotentCreate() async throws {
    try await withService { client, _ in
      let request = Crm_Segmentation_V1_CreateCustomerRequest.with {
        $0.customer = Self.alice
        $0.idempotencyKey.key = "signup-1"
      }
      let first = try await client.createCustomer(request).customer
      let again = try await client.createCustomer(request).customer
      #expect(first.customerID == again.customerID)

      var other = request
      other.customer.displayName = "Bob"
      let error = await #expect(throws: RPCError.self) { try await client.createCustomer(other) }
      #expect(error?.code == .alreadyExists)
    }
  }

  /// Alice with the field `field` broken.
  static func broken(_ field: String) -> Crm_Segmentation_V1_Customer {
    var customer = alice
    switch field {
    case "customer.type": customer.type = .unspecified
    case "customer.display_name": customer.displayName = "  "
    case "customer.email": customer.email = "not-an-email"
    case "customer.phone": customer.phone = "13800138000"
    case "customer.time_zone": customer.timeZone = "Mars/Olympus"
    case "customer.tags[0]": customer.tags = [""]
    default: Issue.record("no way to break \(field)")
    }
    return customer
  }

  @Test(
    "bad input is INVALID_ARGUMENT naming the field",
    arguments: ["customer.type", "customer.display_name", "customer.email", "customer.phone", "customer.time_zone", "customer.tags[0]"])
  func badInput(field: String) async throws {
    try await withService { client, _ in
      let customer = Self.broken(field)
      let error = await #expect(throws: RPCError.self) { try await client.createCustomer(.with { $0.customer = customer }) }
      #expect(error?.code == .invalidArgument)
      #expect(error?.message.hasPrefix("\(field):") == true, "\(error?.message ?? "")")
    }
  }

  @Test("an unknown id is NOT_FOUND; an empty one INVALID_ARGUMENT")
  func notFound() async throws {
    try await withService { client, _ in
      let missing = await #expect(throws: RPCError.self) { try await client.getCustomer(.with { $0.customerID = "nope" }) }
      #expect(missing?.code == .notFound)
      let empty = await #expect(throws: RPCError.self) { try await client.getCustomer(.init()) }
      #expect(empty?.code == .invalidArgument)
    }
  }
}
