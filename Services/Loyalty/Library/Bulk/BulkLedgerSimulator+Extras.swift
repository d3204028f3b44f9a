import Foundation
import ServiceKit

extension BulkLedgerSimulator {
  /// Come-back coupons for some customers who went quiet, some used; referral codes for some.
  mutating func extras(customerID: String, lastActivity: Int64, into rows: inout BulkRows)
  {
    if random.next() % 10 == 0 {
      let issued = lastActivity + 30 * 86_400 + Int64(random.next() % (60 * 86_400))
      if issued < asOf {
        rows.inbox.append(.init(eventID: nextUUID(), source: "segmentation", appliedAt: issued))
        let validUntil = issued + Int64(EarningRules.comebackValidity(rules))
        let used = issued + Int64(random.next() % UInt64(validUntil - issued))
        codeSequence += 1
        rows.coupons.append(
          .init(
            code: SplitMix64.code(
              sequence: codeSequence, length: 12, alphabet: Self.couponAlphabet),
            customerID: customerID, kind: "comeback",
            discountPercent: EarningRules.comebackDiscountPercent(rules), validFrom: issued,
            validUntil: validUntil, redeemedAt: random.next() % 4 == 0 && used < asOf ? used : nil))
      }
    }
    if random.next() % 5 == 0 {
      codeSequence += 1
      rows.referralCodes.append(
        (customerID,
         "R" + SplitMix64.code(sequence: codeSequence, length: 9, alphabet: Self.couponAlphabet)))
    }
  }
}
