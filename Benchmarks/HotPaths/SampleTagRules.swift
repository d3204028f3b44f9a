import Contracts

/// Tag rules of the kind an operator writes (the suite ships none): numbers, texts, a tag
/// test and a negation, two to three levels deep.
enum SampleTagRules {
  static let rules: [Crm_Segmentation_V1_TagRule] = [
    rule(
      "tag-big-spender", tag: "big_spender",
      .all([
        .number("annual_spend", .greaterOrEqual, 2_000_000),
        .number("purchase_count", .greaterOrEqual, 3),
      ])),
    rule(
      "tag-lapsing", tag: "lapsing",
      .all([
        .number("purchase_count", .greaterOrEqual, 1),
        .number("activity_recency_days", .greater, 60),
        .not(.text("lifecycle_stage", "churned")),
      ])),
    rule(
      "tag-app-regular", tag: "app_regular",
      .all([
        .text("source_channel", "app"),
        .any([.number("purchases_last_3_months", .greaterOrEqual, 2), .has("need:customisation")]),
      ])),
    rule(
      "tag-enterprise-buyer", tag: "enterprise_buyer",
      .all([.text("type", "enterprise"), .number("total_spend", .greater, 1_000_000)])),
  ]

  private static func rule(_ id: String, tag: String, _ condition: Crm_Segmentation_V1_Condition)
    -> Crm_Segmentation_V1_TagRule
  {
    .with {
      $0.ruleID = id
      $0.tag = tag
      $0.condition = condition
    }
  }
}

extension Crm_Segmentation_V1_Condition {
  fileprivate static func all(_ conditions: [Self]) -> Self {
    .with { $0.all = .with { $0.conditions = conditions } }
  }
  fileprivate static func any(_ conditions: [Self]) -> Self {
    .with { $0.any = .with { $0.conditions = conditions } }
  }
  fileprivate static func not(_ condition: Self) -> Self { .with { $0.not = condition } }
  fileprivate static func number(
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
  fileprivate static func text(_ attribute: String, _ value: String) -> Self {
    .with {
      $0.comparison = .with {
        $0.attribute = attribute
        $0.operator = .equal
        $0.textValue = value
      }
    }
  }
  fileprivate static func has(_ tag: String) -> Self {
    .with {
      $0.comparison = .with {
        $0.attribute = "tags"
        $0.operator = .contains
        $0.textValue = tag
      }
    }
  }
}
