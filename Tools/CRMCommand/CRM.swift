import ArgumentParser

/// `crm`: start the suite on this machine, call any RPC of any service, and check health.
@main
struct CRM: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "crm",
    abstract: "Run, call and inspect the CRM suite.",
    discussion: """
      Every service command takes the method in kebab case and its request as positional values
      (the request's plain fields, in order), as --body JSON, or as --body @file / --body - (stdin).
      Responses print as a table; --json prints the protobuf JSON mapping. The exit status is the
      gRPC status code (0 OK; e.g. 5 NOT_FOUND), and errors go to stderr as CODE: message.
      """,
    subcommands: [
      Up.self, Health.self, Seed.self, Report.self, Load.self, EchoServer.self,
      SegmentationCommand.self, InteractionCommand.self, FeedbackCommand.self, TrustCommand.self,
      LoyaltyCommand.self, OpsCommand.self, DevCredentialsCommand.self,
    ]
  )
}
