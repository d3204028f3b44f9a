import Foundation
import GRDB
import ServiceKit

extension InteractionBulkFill {
  /// Touch types as the suite logs them, with what their content says.
  static let touchTypes: [(type: String, content: String)] = [
    ("greeting", "Seasonal greeting with a coupon"), ("care_call", "Called to check the last order"),
    ("survey", "Satisfaction survey sent"), ("event_invite", "Invited to the member event"),
    ("webinar", "Joined the product webinar"), ("tip", "Usage tips for the new product"),
    ("co_creation", "Suggested a larger battery option"),
  ]
  static let replies = ["", "", "", "Thanks!", "Please call me later", "Not interested", "Great, see you there"]
  static let twoYears: TimeInterval = 2 * 365 * 86_400

  /// The customer's logged interactions, oldest first, as LogInteraction inserts them (the
  /// tier of the copy, a new thread unless the touch continues the last conversation on
  /// another channel); returns the rows written.
  static func writeInteractions(
    _ db: Database, of customer: BulkCustomer, plan: Plan, counts: inout Counts
  ) throws -> Int {
    let count = interactionCount(ofCustomer: customer.n, plan: plan)
    guard count > 0 else { return 0 }
    var random = SplitMix64(seed: plan.seed, index: customer.n, purpose: 2)
    let times = (0..<count).map { _ in
      plan.asOf.addingTimeInterval(-Double.random(in: 3_600..<twoYears, using: &random)).roundedToMilliseconds
    }.sorted()
    let insert = try db.cachedStatement(
      sql: """
        INSERT INTO interaction (id, customer_id, type, channel, content, owner, planned_at, actual_at,
          customer_reply, mood, score, created_at, tier, thread_id, task_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
        """)
    var thread = ""
    var lastChannel = 0
    for (index, actual) in times.enumerated() {
      let id = random.orderedUUID(major: customer.n, minor: index)
      let touch = random.pick(touchTypes)
      var channel = Int.random(in: 1...6, using: &random)
      // A quarter of the touches continue the conversation, often on another channel.
      if thread.isEmpty || !random.chance(0.25) {
        thread = id
      } else if channel == lastChannel {
        channel = channel % 6 + 1
      }
      lastChannel = channel
      let owner = random.chance(0.5) ? customer.facts.accountManager : "agent-\(Int.random(in: 1...40, using: &random))"
      let planned: Date? = random.chance(0.5) ? actual.addingTimeInterval(-Double(Int.random(in: 0...172_800, using: &random))) : nil
      let mood = Int.random(in: 0...3, using: &random)
      let score = random.chance(0.3) ? 0 : Int.random(in: 1...5, using: &random)
      try insert.execute(arguments: [
        id, customer.id, touch.type, channel, touch.content, owner, planned, actual, random.pick(replies), mood, score,
        actual, customer.facts.tier, thread,
      ])
    }
    counts.interactions += count
    return count
  }
}

extension Date {
  /// The store keeps milliseconds: round now so that what is written is what is read back.
  var roundedToMilliseconds: Date {
    Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000)
  }
}
