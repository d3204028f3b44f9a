import ArgumentParser
import Foundation
import GRDB
import GRPCCore
import Logging
import Metrics
import Prometheus

/// The whole `main` of a service executable: parse settings, open the store, serve.
///
/// Exit codes: 0 after a graceful shutdown, 2 for a setting that cannot be used (bad flag or
/// variable, port taken, store unwritable) with one line on standard error naming it, 1 for a
/// failure while serving.
public enum ServiceMain {
  /// Runs `service`, whose library builds its gRPC services over the opened store.
  public static func run(
    _ service: SuiteService,
    migrator: DatabaseMigrator,
    clock: any WallClock = SystemClock(),
    makeServices: @Sendable (ServiceEnvironment) throws -> [any RegistrableRPCService]
  ) async -> Never {
    await run(service, migrator: migrator, clock: clock, makeComponents: { ServiceComponents(rpcServices: try makeServices($0)) })
  }

  /// Runs `service`, whose library builds its gRPC services and background work over the
  /// opened store.
  public static func run(
    _ service: SuiteService,
    migrator: DatabaseMigrator,
    clock: any WallClock = SystemClock(),
    makeComponents: @Sendable (ServiceEnvironment) throws -> ServiceComponents
  ) async -> Never {
    let options: ServiceOptions
    do {
      options = try ServiceOptions.parse(Array(CommandLine.arguments.dropFirst()))
    } catch {
      if ServiceOptions.exitCode(for: error) == .success {
        print("USAGE: \(service.executableName) [options]\n")
        print(ServiceOptions.helpMessage())
        exit(0)
      }
      fail(ServiceOptions.message(for: error))
    }

    let settings: ServiceSettings
    do {
      settings = try ServiceSettings.resolve(options, service: service)
    } catch {
      fail(error.description)
    }

    LoggingSetup.bootstrap(level: settings.logLevel)
    let logger = Logger(label: service.executableName)

    let database: DatabasePool
    do {
      database = try StoreOpener.openPool(path: settings.databasePath, migrator: migrator)
    } catch {
      fail("--data-dir/--database (CRM_DATA_DIR/CRM_DATABASE): cannot open the store at \(settings.databasePath): \(describe(error))")
    }

    // One registry per process: swift-metrics is global by design, so this happens only here.
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let tokens: TokenVerifier?
    if let keys = settings.security.jwtKeysFile {
      do {
        tokens = try await TokenVerifier(
          keysFile: keys, issuer: settings.security.jwtIssuer, audience: settings.security.jwtAudience)
      } catch {
        fail("--auth-jwt-keys-file (CRM_AUTH_JWT_KEYS_FILE): cannot use \(keys): \(error)")
      }
    } else {
      tokens = nil
    }
    let metrics: MetricsEndpoint
    do {
      metrics = try await MetricsEndpoint.bind(
        host: settings.host, port: settings.metricsPort, registry: registry, logger: logger,
        authorize: MetricsAccess.authorizer(settings.security, tokens: tokens))
    } catch {
      fail("--metrics-port (CRM_METRICS_PORT): cannot listen on \(settings.host):\(settings.metricsPort): \(error)")
    }

    let credentials: TransportCredentials
    do {
      credentials = try TransportCredentials(settings.security, logger: logger)
    } catch {
      fail(error.description)
    }
    let environment = ServiceEnvironment(
      settings: settings, logger: logger, clock: clock, database: database,
      health: HealthStatusBoard(services: [service.grpcServiceName]), credentials: credentials)
    do {
      var components = try makeComponents(environment)
      components.background += [
        metrics, StoreGauges(database: database, path: settings.databasePath),
      ]
      // Follows a rotated certificate file, for the listener and the calls to peers alike.
      if let reloader = credentials.reloader { components.background.append(reloader) }
      let host = ServiceHost(environment: environment, components: components, tokens: tokens)
      try await host.run { address in
        // The one line on standard output: launchers and tests read the bound port from it.
        FileHandle.standardOutput.write(Data("\(service.executableName) listening on \(address)\n".utf8))
      }
    } catch let error as StartupError {
      fail(error.description)
    } catch {
      logger.critical("stopped by an error", metadata: ["error": "\(String(reflecting: error))"])
      exit(1)
    }
    exit(0)
  }

  private static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(2)
  }

  private static func describe(_ error: any Error) -> String {
    if let error = error as? StoreVersionError { return error.description }
    if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
    if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError {
      return underlying.localizedDescription
    }
    return (error as NSError).localizedDescription
  }
}
