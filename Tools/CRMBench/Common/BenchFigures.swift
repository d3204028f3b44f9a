import Foundation

/// The figures one `measure` run produced: printed as a table, optionally written as JSON so
/// BENCHMARKS.md can be regenerated from a run.
struct BenchFigures: Codable {
  /// One measured figure against its target.
  struct Figure: Codable {
    var name: String
    var value: Double
    var unit: String
    /// The target, as text (`< 1000 ms`), or empty when there is none.
    var target: String
    /// Whether the target was met; nil when there is no target.
    var met: Bool?
  }

  var service: String
  var store: [String: Int] = [:]
  var figures: [Figure] = []

  init(service: String) { self.service = service }

  /// Records a figure; `limit` (with `unit`) is the target the value must stay under.
  mutating func add(_ name: String, _ value: Double, _ unit: String, under limit: Double? = nil) {
    figures.append(Figure(
      name: name, value: value, unit: unit,
      target: limit.map { "< \(Self.format($0)) \(unit)" } ?? "",
      met: limit.map { value < $0 }))
  }

  /// Records a figure that must reach at least `minimum`.
  mutating func add(_ name: String, _ value: Double, _ unit: String, atLeast minimum: Double) {
    figures.append(Figure(
      name: name, value: value, unit: unit, target: ">= \(Self.format(minimum)) \(unit)",
      met: value >= minimum))
  }

  /// Prints the table and writes JSON to `path` when given.
  func emit(to path: String?) throws {
    print("\(service): " + store.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    let width = max(10, figures.map(\.name.count).max() ?? 0)
    for figure in figures {
      let name = figure.name.padding(toLength: width, withPad: " ", startingAt: 0)
      let verdict = figure.met.map { $0 ? "met" : "MISSED" } ?? ""
      print("  \(name)  \(Self.format(figure.value)) \(figure.unit)  \(figure.target)  \(verdict)")
    }
    if let path {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try encoder.encode(self).write(to: URL(fileURLWithPath: path))
    }
  }

  /// Whether every figure with a target met it.
  var allMet: Bool { figures.allSatisfy { $0.met != false } }

  static func format(_ value: Double) -> String {
    value >= 100 || value == value.rounded() ? String(format: "%.0f", value) : String(format: "%.2f", value)
  }
}
