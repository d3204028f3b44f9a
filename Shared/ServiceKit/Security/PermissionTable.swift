import GRPCCore

/// The one place that says what every RPC of the suite requires. A test walks the generated
/// catalog of RPCs (and health and reflection) against it, so an RPC added without an entry
/// fails the tests; at run time an RPC without one is refused to everybody.
public enum PermissionTable {
  /// What calling `method` on the process that serves `service` requires; nil when the RPC is
  /// not declared (then nobody may call it).
  public static func access(
    for method: MethodDescriptor, on service: SuiteService, reflection: SecuritySettings.Access = .authenticated
  ) -> MethodAccess? {
    switch method.service.fullyQualifiedService {
    case "grpc.health.v1.Health":
      // Probes carry no credentials.
      return .open
    case "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection":
      return reflection == .open ? .open : .requires(.read(service))
    case "crm.events.v1.EventSink":
      return method.method == "DeliverEvents" ? .requires(.deliverEvents) : nil
    case "crm.events.v1.Outbox":
      return method.method == "GetOutboxStatus" ? .requires(.read(service)) : nil
    case "crm.ops.v1.StoreAdmin":
      return method.method == "BackupStore" ? .requires(.operate(service)) : nil
    case "crm.ops.v1.AuditLog":
      return method.method == "ListAuditRecords" ? .requires(.operate(service)) : nil
    case "crm.bench.v1.EchoService":
      return method.method == "Echo" ? .requires(Permission("bench", .read)) : nil
    default:
      guard let owner = serviceLevels.first(where: { $0.value.grpcService == method.service.fullyQualifiedService }),
        let level = owner.value.levels[method.method]
      else { return nil }
      return .requires(Permission(owner.key.rawValue, level))
    }
  }

  /// Each service's own RPCs by level. `operate` is everything that changes how the service
  /// behaves or touches data wholesale; every such call is audited.
  static let serviceLevels: [SuiteService: (grpcService: String, levels: [String: Permission.Level])] = [
    .segmentation: (
      "crm.segmentation.v1.SegmentationService",
      levels(
        read: [
          "GetCustomer", "ListCustomers", "ResolveIdentity", "CheckPurchase", "GetPurchase", "ListProfileHistory",
          "ListTierRules", "DryRunTierRules", "GetRetierJob", "ListTagRules", "GetTierReport", "GetTierStrategy",
          "ListTierStrategies",
        ],
        write: ["CreateCustomer", "UpdateCustomer", "LinkIdentity", "RecordPurchase", "RecordRefund", "ReportActivity"],
        operate: [
          "MergeCustomers", "RunLifecycleScan", "CreateTierRule", "UpdateTierRule", "DeleteTierRule", "CreateTagRule",
          "DeleteTagRule", "UpdateTierStrategy", "ExportCustomer", "EraseCustomer",
        ])
    ),
    .interaction: (
      "crm.interaction.v1.InteractionService",
      levels(
        read: [
          "GetInteraction", "ListTimeline", "ListCarePlans", "GetCarePlan", "ListTasks", "ListContactPolicies",
          "RenderTemplate", "GetInteractionFigures",
        ],
        write: [
          "LogInteraction", "RecordMoment", "CompleteTask", "RescheduleTask", "CancelTask", "SetOptOut",
          "SetCustomerDates",
        ],
        operate: ["UpsertCarePlan", "UpsertContactPolicy", "UpsertTemplate", "RunDateScan"])
    ),
    .feedback: (
      "crm.feedback.v1.FeedbackService",
      levels(
        read: [
          "GetTicket", "ListCategories", "GetTicketHistory", "ListSlaPolicies", "ListBreaches", "ListTickets",
          "GetFeedbackFigures", "ListEscalationRules", "ListHotIssues", "GetArticle", "SearchArticles",
          "SuggestArticles",
        ],
        write: [
          "CreateTicket", "TransitionTicket", "PostProgressUpdate", "AssignTicket", "SubmitNps", "SubmitCsat",
          "CreateIssue", "LinkTicketToIssue", "ResolveIssue", "CreateArticle", "UpdateArticle",
        ],
        operate: ["CreateCategory", "CreateSlaPolicy", "RunSlaScan", "CreateEscalationRule"])
    ),
    .trust: (
      "crm.trust.v1.TrustService",
      levels(
        read: [
          "GetReview", "ListModerationQueue", "ListReviews", "GetProductSummary", "GetBusinessSummary",
          "ListGuarantees", "GetClaim", "ListCredentials", "ListExpiringCredentials", "ListCaseStudies",
          "GetTrustFigures",
        ],
        write: [
          "CreateReview", "EditReview", "DeleteReview", "ReplyToReview", "VoteHelpful", "FileClaim",
          "CreateCredential", "CreateCaseStudy",
        ],
        // Publishing a review and deciding a claim (which pays out) are the operator's.
        operate: ["ModerateReview", "AdvanceClaim"])
    ),
    .loyalty: (
      "crm.loyalty.v1.LoyaltyService",
      levels(
        read: [
          "GetAccount", "ListExpiringPoints", "ListLedgerEntries", "GetEarningRules", "GetTierProgram",
          "GetMemberTier", "ListTierChanges", "ListRewards", "ListCoupons", "GetReferralCode",
          "ListRelatedProducts", "GetLoyaltyFigures", "GetPlan", "ListPlans",
        ],
        write: [
          "RedeemPoints", "RewardAction", "RedeemReward", "RedeemCoupon", "UseReferralCode", "CreatePlan",
          "RenewPlan", "CancelPlan",
        ],
        // Points credited or taken back by hand, coupons handed out, and the programme itself.
        operate: [
          "EarnPoints", "ReversePoints", "RunExpiry", "SetEarningRules", "ReleasePendingPoints", "SetTierProgram",
          "RunTierReview", "UpsertReward", "IssueCoupon", "SetProductAssociations",
        ])
    ),
  ]

  private static func levels(read: [String], write: [String], operate: [String]) -> [String: Permission.Level] {
    var result: [String: Permission.Level] = [:]
    for name in read { result[name] = .read }
    for name in write { result[name] = .write }
    for name in operate { result[name] = .operate }
    return result
  }

  /// Every permission that some RPC requires, for the README's table and for tokens that
  /// should hold everything of one level.
  public static func rows() -> [(method: String, permission: String)] {
    var rows: [(String, String)] = []
    for service in SuiteService.allCases {
      guard let entry = serviceLevels[service] else { continue }
      for (method, level) in entry.levels.sorted(by: { $0.key < $1.key }) {
        rows.append(("\(entry.grpcService)/\(method)", Permission(service.rawValue, level).description))
      }
    }
    return rows
  }
}
