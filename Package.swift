// swift-tools-version:6.1
import PackageDescription

/// The five services of the suite: (folder under Services/, library target, executable product).
let services: [(folder: String, library: String, executable: String)] = [
  ("Segmentation", "Segmentation", "segmentation-service"),
  ("Interaction", "Interaction", "interaction-service"),
  ("Feedback", "Feedback", "feedback-service"),
  ("Trust", "Trust", "trust-service"),
  ("Loyalty", "Loyalty", "loyalty-service"),
]

let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("ExistentialAny"),
]

let grpc: [Target.Dependency] = [
  .product(name: "GRPCCore", package: "grpc-swift-2"),
  .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
  .product(name: "SwiftProtobuf", package: "swift-protobuf"),
]

var targets: [Target] = [
  // Generated from proto/ by proto/generate.sh; never edited by hand.
  .target(
    name: "Contracts",
    dependencies: grpc,
    path: "Shared/Contracts",
    swiftSettings: [.swiftLanguageMode(.v6)]
  ),
  // The runtime every service shares: config, bootstrap, health, reflection, lifecycle,
  // interceptors, store opener, clock, error mapping.
  .target(
    name: "ServiceKit",
    dependencies: grpc + [
      "Contracts",
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      .product(name: "GRDB", package: "GRDB.swift"),
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
      .product(name: "Logging", package: "swift-log"),
      .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      .product(name: "Metrics", package: "swift-metrics"),
      .product(name: "Prometheus", package: "swift-prometheus"),
      .product(name: "NIOCore", package: "swift-nio"),
      .product(name: "NIOPosix", package: "swift-nio"),
      .product(name: "NIOHTTP1", package: "swift-nio"),
      .product(name: "NIOHTTP2", package: "swift-nio-http2"),
      .product(name: "NIOHPACK", package: "swift-nio-http2"),
      .product(name: "NIOSSL", package: "swift-nio-ssl"),
      .product(name: "NIOCertificateReloading", package: "swift-nio-extras"),
      .product(name: "X509", package: "swift-certificates"),
      .product(name: "JWTKit", package: "jwt-kit"),
    ],
    path: "Shared/ServiceKit",
    swiftSettings: swiftSettings
  ),
  // A development certificate authority and token signer: what `crm up --secure` and the tests
  // use to run the suite with TLS and tokens without an outside PKI.
  .target(
    name: "DevCredentials",
    dependencies: [
      .product(name: "X509", package: "swift-certificates"),
      .product(name: "Crypto", package: "swift-crypto"),
      .product(name: "SwiftASN1", package: "swift-asn1"),
      .product(name: "JWTKit", package: "jwt-kit"),
    ],
    path: "Shared/DevCredentials",
    swiftSettings: swiftSettings
  ),
  // Helpers for tests: an in-process server with a client, and a launcher for the real
  // executables on loopback.
  .target(
    name: "ServiceKitTesting",
    dependencies: grpc + [
      "ServiceKit", "Contracts", "DevCredentials",
      .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
    ],
    path: "Shared/ServiceKitTesting",
    swiftSettings: swiftSettings
  ),
  .testTarget(
    name: "ServiceKitTests",
    dependencies: grpc + [
      "ServiceKit", "ServiceKitTesting", "Contracts", "DevCredentials",
      .product(name: "JWTKit", package: "jwt-kit"),
      .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    ],
    path: "Tests/ServiceKitTests",
    swiftSettings: swiftSettings
  ),
  .testTarget(
    name: "IntegrationTests",
    dependencies: grpc + [
      "ServiceKit", "ServiceKitTesting", "Contracts", "DevCredentials",
      .product(name: "JWTKit", package: "jwt-kit"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
    ],
    path: "Tests/IntegrationTests",
    swiftSettings: swiftSettings
  ),
]

// `crm`: the suite launcher (`crm up`), a caller for every RPC, and `crm health`.
targets.append(
  .executableTarget(
    name: "CRMCommand",
    dependencies: grpc + [
      "Contracts", "ServiceKit", "DevCredentials",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      .product(name: "GRDB", package: "GRDB.swift"),
      .product(name: "Logging", package: "swift-log"),
      .product(name: "Metrics", package: "swift-metrics"),
      .product(name: "Histogram", package: "hdrhistogram-swift"),
    ],
    path: "Tools/CRMCommand",
    swiftSettings: swiftSettings
  )
)

var products: [Product] = [
  /// `crm`: run, call and inspect the suite.
  .executable(name: "crm", targets: ["CRMCommand"]),
  /// Messages and typed clients for every service: what an internal Swift caller depends on.
  .library(name: "CRMContracts", targets: ["Contracts"]),
  .library(name: "ServiceKit", targets: ["ServiceKit"]),
]

for service in services {
  targets.append(
    .target(
      name: service.library,
      dependencies: grpc + [
        "Contracts", "ServiceKit",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      path: "Services/\(service.folder)/Library",
      swiftSettings: swiftSettings
    )
  )
  targets.append(
    .executableTarget(
      name: "\(service.library)Server",
      dependencies: [.target(name: service.library), "ServiceKit", "Contracts"],
      path: "Services/\(service.folder)/Server",
      swiftSettings: swiftSettings
    )
  )
  targets.append(
    .testTarget(
      name: "\(service.library)Tests",
      dependencies: grpc + [
        .target(name: service.library), "ServiceKit", "ServiceKitTesting", "Contracts",
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      path: "Tests/\(service.library)Tests",
      swiftSettings: swiftSettings
    )
  )
  products.append(.executable(name: service.executable, targets: ["\(service.library)Server"]))
}

// `crm-bench`: fills a service's store with millions of rows and measures its scale targets.
targets.append(
  .executableTarget(
    name: "CRMBench",
    dependencies: grpc + services.map { .target(name: $0.library) } + [
      "Contracts", "ServiceKit",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
      .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
      .product(name: "GRDB", package: "GRDB.swift"),
      .product(name: "Histogram", package: "hdrhistogram-swift"),
    ],
    path: "Tools/CRMBench",
    swiftSettings: swiftSettings
  )
)
products.append(.executable(name: "crm-bench", targets: ["CRMBench"]))

// Micro-benchmarks of the hot paths (ordo-one/benchmark): rule evaluation, ledger append,
// protobuf encode/decode. Run with `swift package benchmark --target HotPaths` (release);
// see Benchmarks/HOTPATHS.md.
targets.append(
  .executableTarget(
    name: "HotPaths",
    dependencies: grpc + [
      "Contracts", "ServiceKit", "Segmentation", "Loyalty",
      .product(name: "Benchmark", package: "benchmark"),
      .product(name: "GRDB", package: "GRDB.swift"),
      .product(name: "Logging", package: "swift-log"),
    ],
    path: "Benchmarks/HotPaths",
    swiftSettings: swiftSettings,
    plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
  )
)

let package = Package(
  name: "crm-suite",
  platforms: [.macOS(.v15)],
  products: products,
  dependencies: [
    .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    // Already resolved through grpc-swift-nio-transport; named for ServiceKit's channel handlers.
    .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
    // Malloc counts through the interposer only; the Linux 6.3 ARC runtime interposer is left out.
    .package(
      url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1",
      traits: ["MallocInterposer"]),
  ],
  targets: targets
)
