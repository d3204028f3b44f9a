import Contracts
import Foundation
import GRPCCore
import ServiceKit
import Testing
import Trust

@Suite("Trust: credentials and case studies")
struct CredentialTests {
  static func credential(_ number: String, from: Date, days: Double, kind: Crm_Trust_V1_CredentialKind = .certification)
    -> Crm_Trust_V1_CreateCredentialRequest
  {
    .with {
      $0.credential = .with {
        $0.businessID = "shop-1"
        $0.kind = kind
        $0.title = "ISO 9001"
        $0.issuer = "CQC"
        $0.number = number
        $0.validFrom = .init(date: from)
        $0.validUntil = .init(date: from.addingTimeInterval(days * 86_400))
        $0.documentRef = "docs/\(number).pdf"
      }
    }
  }

  @Test("listing shows only credentials valid now; the scan finds those expiring within 30 days")
  func validityAndExpiry() async throws {
    try await TrustHarness.run { harness in
      let now = harness.clock.now()
      let valid = try await harness.client.createCredential(Self.credential("A-1", from: now.addingTimeInterval(-86_400), days: 365)).credential
      let expiring = try await harness.client.createCredential(
        Self.credential("A-2", from: now.addingTimeInterval(-86_400), days: 20, kind: .inspectionReport)).credential
      _ = try await harness.client.createCredential(Self.credential("A-3", from: now.addingTimeInterval(-400 * 86_400), days: 365))
      _ = try await harness.client.createCredential(Self.credential("A-4", from: now.addingTimeInterval(86_400), days: 365))

      let listed = try await harness.client.listCredentials(.with { $0.businessID = "shop-1" }).credentials
      #expect(listed.map(\.credentialID) == [expiring.credentialID, valid.credentialID])
      let soon = try await harness.client.listExpiringCredentials(.init()).credentials
      #expect(soon.map(\.credentialID) == [expiring.credentialID])

      // Three weeks later the inspection report has lapsed and no longer shows.
      harness.clock.advance(by: 21 * 86_400)
      #expect(try await harness.client.listCredentials(.with { $0.businessID = "shop-1" }).credentials.count == 2)
      let expiringLater = try await harness.client.listExpiringCredentials(.init()).credentials
      #expect(expiringLater.isEmpty)
    }
  }

  @Test("bad credentials: unspecified kind, validity backwards, a number recorded twice")
  func badCredentials() async throws {
    try await TrustHarness.run { harness in
      let now = harness.clock.now()
      var noKind = Self.credential("B-1", from: now, days: 10)
      noKind.credential.kind = .unspecified
      let kind = await #expect(throws: RPCError.self) { try await harness.client.createCredential(noKind) }
      #expect(kind?.message.hasPrefix("credential.kind:") == true)
      let backwards = await #expect(throws: RPCError.self) {
        try await harness.client.createCredential(Self.credential("B-1", from: now, days: -1))
      }
      #expect(backwards?.message.hasPrefix("credential.valid_until:") == true)
      _ = try await harness.client.createCredential(Self.credential("B-1", from: now, days: 10))
      let twice = await #expect(throws: RPCError.self) {
        try await harness.client.createCredential(Self.credential("B-1", from: now, days: 10))
      }
      #expect(twice?.code == .alreadyExists)
    }
  }

  @Test("case studies are recorded and listed newest first")
  func caseStudies() async throws {
    try await TrustHarness.run { harness in
      for customer in ["Hengda Foods", "Lanxi Textiles"] {
        harness.clock.advance(by: 60)
        _ = try await harness.client.createCaseStudy(.with {
          $0.caseStudy = .with {
            $0.businessID = "shop-1"; $0.customerName = customer; $0.industry = "manufacturing"
            $0.outcome = "Defect rate down 40% in six months."
          }
        })
      }
      let studies = try await harness.client.listCaseStudies(.with { $0.businessID = "shop-1" }).caseStudies
      #expect(studies.map(\.customerName) == ["Lanxi Textiles", "Hengda Foods"])
      let bad = await #expect(throws: RPCError.self) {
        try await harness.client.createCaseStudy(.with { $0.caseStudy = .with { $0.businessID = "shop-1"; $0.industry = "x"; $0.outcome = "y" } })
      }
      #expect(bad?.message.hasPrefix("case_study.customer_name:") == true)
    }
  }
}
