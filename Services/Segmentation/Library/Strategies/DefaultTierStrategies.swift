import Contracts

/// The documents' per-tier treatment (DOMAIN.md section 1) for the default tiers: high value
/// gets a dedicated manager, tailored solutions and a priority channel; active gets previews
/// and member offers; dormant gets wake-up care and a come-back offer; churned gets a reason
/// survey and a win-back offer.
enum DefaultTierStrategies {
  static let strategies: [Crm_Segmentation_V1_TierStrategy] = [
    strategy(
      "high_value_active", "dedicated manager, tailored solutions, priority channel",
      manager: true, channel: "phone",
      treatments: ["tailored_solutions", "new_product_preview"], offers: ["member_offer"]),
    strategy(
      "dormant_high_value", "wake the customer up with care from their manager",
      manager: true, channel: "phone", treatments: ["wake_up_care"], offers: ["come_back_offer"]),
    strategy(
      "churn_risk", "find out why and win the customer back", manager: false,
      channel: "messaging", treatments: ["wake_up_care", "reason_survey"],
      offers: ["come_back_offer", "win_back_offer"]),
    strategy(
      "high_value", "dedicated manager, tailored solutions, priority channel", manager: true,
      channel: "phone", treatments: ["tailored_solutions"], offers: ["member_offer"]),
    strategy(
      "potential", "grow the relationship with previews and member offers", manager: false,
      channel: "app", treatments: ["new_product_preview"], offers: ["member_offer"]),
    strategy(
      "ordinary", "standard service and member offers", manager: false, channel: "app",
      treatments: [], offers: ["member_offer"]),
  ]

  private static func strategy(
    _ tier: String, _ summary: String, manager: Bool, channel: String, treatments: [String],
    offers: [String]
  ) -> Crm_Segmentation_V1_TierStrategy {
    .with {
      $0.tier = tier
      $0.summary = summary
      $0.dedicatedManager = manager
      $0.priorityChannel = channel
      $0.treatments = treatments
      $0.offers = offers
    }
  }
}
