import Contracts
import GRPCCore
import Testing

@Suite("Segmentation: channel identities")
struct IdentityTests {
  @Test("every linked channel identity resolves to its profile")
  func linkAndResolve() async throws {
    try await SegmentationHarness.run { h in
      // Given a profile with identities in every channel
      let id = try await h.createCustomer("Alice")
      let identities: [Crm_Segmentation_V1_ChannelIdentity] = [
        h.identity(.storeCard, "card-0042"), h.identity(.appAccount, "app-7"),
        h.identity(.webShop, "shop-user-9"), h.identity(.messaging, "wx-alice"),
        h.identity(.phone, "+8613800138000"), h.identity(.email, "Alice@Example.com"),
      ]
      for identity in identities {
        let linked = try await h.client.linkIdentity(
          .with {
            $0.customerID = id
            $0.identity = identity
          })
        #expect(linked.customerID == id)
        #expect(linked.identity.linkTime.date == h.clock.now())
      }

      // Then each resolves to it, emails regardless of case
      for identity in identities + [h.identity(.email, "alice@example.COM")] {
        let resolved = try await h.client.resolveIdentity(.with { $0.identity = identity })
        #expect(resolved.customer.customerID == id)
      }
      #expect(try await h.get(id).identities.count == 6)
      #expect(
        try await h.get(id).identities.first { $0.channel == .email }?.externalID
          == "alice@example.com")
    }
  }

  @Test("linking the same identity to the same profile again returns the first link")
  func relinkIsIdempotent() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      let request = Crm_Segmentation_V1_LinkIdentityRequest.with {
        $0.customerID = id
        $0.identity = h.identity(.storeCard, "card-1")
      }
      let first = try await h.client.linkIdentity(request)
      h.clock.advance(by: 60)
      let again = try await h.client.linkIdentity(request)
      #expect(again == first)
      #expect(try await h.get(id).identities.count == 1)
    }
  }

  @Test("an identity belongs to one profile: linking it to another is ALREADY_EXISTS")
  func oneProfilePerIdentity() async throws {
    try await SegmentationHarness.run { h in
      let alice = try await h.createCustomer("Alice")
      let bob = try await h.createCustomer("Bob")
      try await h.client.linkIdentity(
        .with {
          $0.customerID = alice
          $0.identity = h.identity(.phone, "+8613800138000")
        })
      await expectRPCError(.alreadyExists) {
        _ = try await h.client.linkIdentity(
          .with {
            $0.customerID = bob
            $0.identity = h.identity(.phone, "+8613800138000")
          })
      }
      let resolved = try await h.client.resolveIdentity(
        .with { $0.identity = h.identity(.phone, "+8613800138000") })
      #expect(resolved.customer.customerID == alice)
      #expect(try await h.get(bob).identities.isEmpty)
    }
  }

  @Test("bad identities are INVALID_ARGUMENT naming the field; unknown ones NOT_FOUND")
  func badInput() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      let cases: [(Crm_Segmentation_V1_ChannelIdentity, String)] = [
        (h.identity(.unspecified, "x"), "identity.channel"),
        (h.identity(.storeCard, "  "), "identity.external_id"),
        (h.identity(.phone, "138001380"), "identity.external_id"),
        (h.identity(.email, "nobody"), "identity.external_id"),
        (h.identity(.appAccount, String(repeating: "x", count: 129)), "identity.external_id"),
      ]
      for (identity, field) in cases {
        await expectRPCError(.invalidArgument, field: field) {
          _ = try await h.client.linkIdentity(
            .with {
              $0.customerID = id
              $0.identity = identity
            })
        }
        await expectRPCError(.invalidArgument, field: field) {
          _ = try await h.client.resolveIdentity(.with { $0.identity = identity })
        }
      }
      await expectRPCError(.invalidArgument, field: "customer_id") {
        _ = try await h.client.linkIdentity(.with { $0.identity = h.identity(.storeCard, "c") })
      }
      await expectRPCError(.notFound) {
        _ = try await h.client.linkIdentity(
          .with {
            $0.customerID = "nope"
            $0.identity = h.identity(.storeCard, "c")
          })
      }
      await expectRPCError(.notFound) {
        _ = try await h.client.resolveIdentity(
          .with { $0.identity = h.identity(.storeCard, "unknown") })
      }
    }
  }
}
