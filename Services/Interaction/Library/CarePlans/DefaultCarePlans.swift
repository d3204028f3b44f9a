import Foundation

/// The playbook's care plans, templates and contact policies (DOMAIN.md section 2), as the
/// `care-defaults-v1` migration writes them. The operator edits them afterwards as data; this
/// is never read again once the migration ran.
enum DefaultCarePlans {
  private static let day: Int64 = 86_400
  private static let hour: Int64 = 3_600

  private static func step(
    _ type: String, _ channel: Int, after offset: Int64, by role: String, template: String = "",
    transactional: Bool = false
  ) -> CareStepData {
    CareStepData(
      type: type, channel: channel, offsetSeconds: offset, ownerRole: role, templateID: template,
      transactional: transactional)
  }

  // Channel raw values: sms 1, phone 2, visit 3, email 4, app push 5, messaging 6.
  static let plans: [CarePlanDefinition] = [
    // New customer: welcome pack with guide and coupon, first-use call within 7 days,
    // satisfaction survey within 30 days.
    .init(
      momentKind: "registration", tier: "", name: "New customer",
      steps: [
        step("welcome_pack", 4, after: 0, by: "care_team", template: "welcome_pack"),
        step("first_use_call", 2, after: 7 * day, by: "care_team"),
        step("satisfaction_survey", 4, after: 30 * day, by: "care_team", template: "satisfaction_survey"),
      ]),
    .init(
      momentKind: "first_purchase", tier: "", name: "First purchase",
      steps: [step("thank_you", 6, after: 0, by: "care_team", template: "first_purchase_thanks")]),
    // Existing customer: birthday and holiday greetings with a gift or coupon, early access to
    // new products, member events.
    .init(
      momentKind: "birthday", tier: "", name: "Existing customer: birthday greeting",
      steps: [step("greeting", 1, after: 0, by: "care_team", template: "birthday_greeting")]),
    .init(
      momentKind: "anniversary", tier: "", name: "Existing customer: anniversary greeting",
      steps: [step("greeting", 1, after: 0, by: "care_team", template: "anniversary_greeting")]),
    .init(
      momentKind: "holiday", tier: "", name: "Existing customer: holiday greeting",
      steps: [step("greeting", 1, after: 0, by: "care_team", template: "holiday_greeting")]),
    .init(
      momentKind: "product_launch", tier: "", name: "Existing customer: early access",
      steps: [step("early_access", 5, after: 0, by: "marketing", template: "early_access")]),
    .init(
      momentKind: "member_event", tier: "", name: "Existing customer: member event",
      steps: [step("event_invitation", 4, after: 0, by: "marketing", template: "member_event")]),
    // After a service: needs survey and satisfaction call.
    .init(
      momentKind: "service_completed", tier: "", name: "After a service",
      steps: [
        step("needs_survey", 4, after: day, by: "service_team", template: "satisfaction_survey"),
        step("satisfaction_call", 2, after: 3 * day, by: "service_team"),
      ]),
    // Churn warning: care and a come-back offer.
    .init(
      momentKind: "churn_warning", tier: "", name: "Churn warning",
      steps: [
        step("care_call", 2, after: day, by: "care_team"),
        step("come_back_offer", 1, after: 2 * day, by: "care_team", template: "come_back_offer"),
      ]),
    // Complaint customer: a call within 24 hours of the fix, a survey within 72 hours, one
    // month of one-to-one follow-up. Service follow-up of a complaint is not marketing, so it
    // is exempt from the frequency caps.
    .init(
      momentKind: "complaint_resolved", tier: "", name: "Complaint customer",
      steps: [
        step("care_call", 2, after: 24 * hour, by: "care_team", transactional: true),
        step("satisfaction_survey", 1, after: 72 * hour, by: "care_team", template: "satisfaction_survey", transactional: true),
        step("follow_up", 2, after: 7 * day, by: "care_team", transactional: true),
        step("follow_up", 2, after: 14 * day, by: "care_team", transactional: true),
        step("follow_up", 2, after: 21 * day, by: "care_team", transactional: true),
        step("follow_up", 2, after: 30 * day, by: "care_team", transactional: true),
      ]),
    // High-value customer: a dedicated manager, a tailored service plan, a quarterly event.
    .init(
      momentKind: "tier_entered", tier: "high_value", name: "High-value customer",
      steps: [
        step("manager_introduction", 2, after: 0, by: "account_manager"),
        step("tailored_service_plan", 3, after: 7 * day, by: "account_manager"),
        step("quarterly_event", 4, after: 90 * day, by: "account_manager", template: "member_event"),
      ]),
  ]

  static let templates: [(id: String, body: String)] = [
    ("welcome_pack", "Welcome, {{name}}! Your welcome pack with a usage guide and a coupon is on its way."),
    ("satisfaction_survey", "{{name}}, how satisfied are you with us? Tell us in two minutes."),
    ("first_purchase_thanks", "Thank you for your first order, {{name}}. Here are tips to get the most of it."),
    ("birthday_greeting", "Happy birthday, {{name}}! A gift coupon is waiting for you."),
    ("anniversary_greeting", "Happy anniversary, {{name}}! Thank you for being with us."),
    ("holiday_greeting", "Season's greetings, {{name}}! A small gift for you as a {{tier}} member."),
    ("early_access", "{{name}}, as a {{tier}} member you get early access to our new products."),
    ("member_event", "{{name}}, you are invited to our next member event."),
    ("come_back_offer", "We miss you, {{name}}. Here is a come-back offer just for you."),
  ]

  /// New customers weekly, existing customers monthly, high-value customers every two weeks;
  /// quiet from 21:00 to 08:00 local time.
  static let contactPolicies: [ContactPolicyRecord] = [
    .init(tier: "new", channel: 0, capDays: 7, quietStartMinute: 21 * 60, quietEndMinute: 8 * 60),
    .init(tier: "high_value", channel: 0, capDays: 14, quietStartMinute: 21 * 60, quietEndMinute: 8 * 60),
    .init(tier: "", channel: 0, capDays: 30, quietStartMinute: 21 * 60, quietEndMinute: 8 * 60),
  ]
}
