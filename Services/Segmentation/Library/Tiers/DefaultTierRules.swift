import Contracts

/// The documents' tiers (DOMAIN.md section 1) as tier rules; money in minor units (a yuan is
/// 100). Needs are tags (`need:customisation`, `need:basic_service`).
enum DefaultTierRules {
  static let rules: [Crm_Segmentation_V1_TierRule] = [
    rule(
      "default-high-value-active", tier: "high_value_active", priority: 10,
      "annual spend > 100,000, active in the last 3 months and a customisation need",
      .all([
        .compare("annual_spend", .greater, 10_000_000),
        .compare("activity_recency_days", .lessOrEqual, 90),
        .has("need:customisation"),
      ])),
    rule(
      "default-dormant-high-value", tier: "dormant_high_value", priority: 20,
      "no activity for 3 months, historical spend > 50,000 and a basic service need",
      .all([
        .compare("activity_recency_days", .greater, 90),
        .compare("total_spend", .greater, 5_000_000),
        .has("need:basic_service"),
      ])),
    rule(
      "default-churn-risk", tier: "churn_risk", priority: 30,
      "a buyer who turned dormant or churned",
      .all([
        .compare("purchase_count", .greaterOrEqual, 1),
        .any([.text("lifecycle_stage", "dormant"), .text("lifecycle_stage", "churned")]),
      ])),
    rule(
      "default-high-value", tier: "high_value", priority: 40, "total spend of 50,000 or more",
      .compare("total_spend", .greaterOrEqual, 5_000_000)),
    rule(
      "default-potential", tier: "potential", priority: 50,
      "a new buyer, or 2 or more purchases in the last 3 months",
      .any([
        .compare("purchases_last_3_months", .greaterOrEqual, 2),
        .all([.text("lifecycle_stage", "new"), .compare("purchase_count", .greaterOrEqual, 1)]),
      ])),
    rule(
      "default-ordinary", tier: "ordinary", priority: 1000, "everyone else",
      .compare("purchase_count", .greaterOrEqual, 0)),
  ]

  private static func rule(
    _ id: String, tier: String, priority: Int32, _ description: String,
    _ condition: Crm_Segmentation_V1_Condition
  ) -> Crm_Segmentation_V1_TierRule {
    .with {
      $0.ruleID = id
      $0.tier = tier
      $0.priority = priority
      $0.description_p = description
      $0.condition = condition
    }
  }
}

extension Crm_Segmentation_V1_Condition {
  static func all(_ conditions: [Self]) -> Self { .with { $0.all = .with { $0.conditions = conditions } } }
  static func any(_ conditions: [Self]) -> Self { .with { $0.any = .with { $0.conditions = conditions } } }
  static func compare(
    _ attribute: String, _ op: Crm_Segmentation_V1_ComparisonOperator, _ value: Double
  ) -> Self {
    .with {
      $0.comparison = .with {
        $0.attribute = attribute
        $0.operator = op
        $0.numberValue = value
      }
    }
  }
  static func text(_ attribute: String, _ value: String) -> Self {
    .with {
      $0.comparison = .with {
        $0.attribute = attribute
        $0.operator = .equal
        $0.textValue = value
      }
    }
  }
  static func has(_ tag: String) -> Self {
    .with {
      $0.comparison = .with {
        $0.attribute = "tags"
        $0.operator = .contains
        $0.textValue = tag
      }
    }
  }
}
