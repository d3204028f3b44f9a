import Benchmark
import Contracts
import Loyalty

/// Loyalty's earn path, one earn per iteration through the handler (no transport): the
/// idempotency record, the account, the lot, the ledger entry and the tier check, committed.
enum LedgerAppendBenchmarks {
  static func register() {
    let fixtures: [(String, LedgerFixture)] = [
      ("Ledger: EarnPoints, in-memory store", LedgerFixture(storage: .memory)),
      ("Ledger: EarnPoints, file store (WAL, synchronous=FULL)", LedgerFixture(storage: .file)),
      (
        "Ledger: EarnPoints, file store, group commit off",
        LedgerFixture(storage: .file, groupCommit: false)
      ),
    ]
    for (name, fixture) in fixtures {
      Benchmark(
        name, configuration: HotPathsConfiguration.standard,
        closure: { benchmark in
          guard let service = fixture.service else { return }
          let request = fixture.nextEarn()
          let context = DirectCall.context(
            Crm_Loyalty_V1_LoyaltyService.Method.EarnPoints.descriptor)
          benchmark.startMeasurement()
          blackHole(try await service.earnPoints(request: request, context: context))
        },
        setup: { try fixture.prepare() }, teardown: { try fixture.tearDown() })
    }
  }
}
