import Contracts
import GRPCCore
import SwiftProtobuf
import Testing

@Suite("Segmentation: UpdateCustomer with a field mask")
struct UpdateCustomerTests {
  @Test("only the masked fields change; update_time moves with the clock, create_time stays")
  func maskedFieldsOnly() async throws {
    try await SegmentationHarness.run { h in
      // Given a profile
      let id = try await h.createCustomer("Alice", tags: ["parenting"], accountManager: "am-1")
      let before = try await h.get(id)
      h.clock.advance(by: 3600)

      // When the display name and tags are masked, and other fields are sent too
      let updated = try await h.client.updateCustomer(
        .with {
          $0.customer = .with {
            $0.customerID = id
            $0.displayName = " Alice Wang "
            $0.tags = ["vip", "vip", "promotion-lover"]
            $0.accountManager = "am-2"
            $0.email = "not-an-email"
          }
          $0.updateMask = Google_Protobuf_FieldMask(protoPaths: ["display_name", "tags"])
        }
      ).customer

      // Then only those changed
      #expect(updated.displayName == "Alice Wang")
      #expect(updated.tags == ["promotion-lover", "vip"])
      #expect(updated.accountManager == "am-1")
      #expect(updated.email == "")
      #expect(updated.createTime == before.createTime)
      #expect(updated.updateTime.date == h.clock.now())
      #expect(try await h.get(id) == updated)
    }
  }

  @Test("server-owned fields are never taken from the caller")
  func outputOnlyPathsRejected() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      for path in ["total_spend", "customer_id", "create_time", "purchase_count", "identities"] {
        await expectRPCError(.invalidArgument, field: "update_mask.paths[1]") {
          _ = try await h.client.updateCustomer(
            .with {
              $0.customer = .with {
                $0.customerID = id
                $0.displayName = "X"
                $0.totalSpend = .cny(1)
              }
              $0.updateMask = Google_Protobuf_FieldMask(protoPaths: ["display_name", path])
            })
        }
      }
      // Nothing was half-applied: the valid path before the bad one did not land either.
      #expect(try await h.get(id).displayName == "Alice")
    }
  }

  @Test("an unknown path, an empty mask, a bad value, a missing id: each named")
  func badRequests() async throws {
    try await SegmentationHarness.run { h in
      let id = try await h.createCustomer("Alice")
      await expectRPCError(.invalidArgument, field: "update_mask.paths[0]") {
        _ = try await h.client.updateCustomer(
          .with {
            $0.customer.customerID = id
            $0.updateMask = Google_Protobuf_FieldMask(protoPaths: ["shoe_size"])
          })
      }
      await expectRPCError(.invalidArgument, field: "update_mask") {
        _ = try await h.client.updateCustomer(.with { $0.customer.customerID = id })
      }
      await expectRPCError(.invalidArgument, field: "customer.phone") {
        _ = try await h.client.updateCustomer(
          .with {
            $0.customer = .with {
              $0.customerID = id
              $0.phone = "12345"
            }
            $0.updateMask = Google_Protobuf_FieldMask(protoPaths: ["phone"])
          })
      }
      await expectRPCError(.invalidArgument, field: "customer.display_name") {
        _ = try await h.client.updateCustomer(
          .with {
            $0.customer = .with { $0.customerID = id }
            $0.updateMask = Google_Protobuf_FieldMask(protoPaths: ["display_name"])
          })
      }
      await expectRPCError(.invalidArgument, field: "customer.customer_id") {
        _ = try await h.client.updateCustomer(
          .with { $0.updateMask = Google_Protobuf_FieldMask(protoPaths: ["display_name"]) })
      }
      await expectRPCError(.notFound) {
        _ = try await h.client.updateCustomer(
          .with {
            $0.customer = .with {
              $0.customerID = "nope"
              $0.displayName = "X"
            }
            $0.updateMask = Google_Protobuf_FieldMask(protoPaths: ["display_name"])
          })
      }
    }
  }
}
