import Foundation

/// Turns a service's figures into tiles (one per number) and an SVG bar chart per list.
enum ReportCharts {
  static func render(_ figures: [String: Any]) -> String {
    var tiles: [(String, String, Double?)] = []
    var charts: [String] = []
    collect(figures, prefix: "", tiles: &tiles, charts: &charts)
    var html = ""
    if !tiles.isEmpty {
      html += "<div class=\"tiles\">"
      for (name, text, ratio) in tiles {
        html += "<div class=\"tile\"><div class=\"name\">\(escape(name))</div><div class=\"value\">\(escape(text))</div>"
        if let ratio { html += bar(ratio) }
        html += "</div>"
      }
      html += "</div>"
    }
    return html + charts.joined()
  }

  /// A number from protobuf JSON (64-bit integers arrive as strings).
  static func number(_ value: Any) -> Double? {
    if let string = value as? String { return Double(string) }
    if value is Bool { return nil }
    return (value as? NSNumber)?.doubleValue
  }

  private static func collect(_ object: [String: Any], prefix: String, tiles: inout [(String, String, Double?)], charts: inout [String]) {
    for key in object.keys.sorted() {
      let name = prefix.isEmpty ? key : "\(prefix).\(key)"
      switch object[key] {
      case let nested as [String: Any]:
        collect(nested, prefix: name, tiles: &tiles, charts: &charts)
      case let rows as [[String: Any]]:
        charts.append(contentsOf: chartsForRows(rows, name: name))
      case let value?:
        if let number = number(value) {
          let isRatio = (0...1).contains(number) && (key.lowercased().contains("rate") || key.lowercased().contains("share") || key.lowercased().contains("ratio"))
          let text = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(format: "%.3f", number)
          tiles.append((name, isRatio ? String(format: "%.1f%%", number * 100) : text, isRatio ? number : nil))
        } else {
          tiles.append((name, "\(value)", nil))
        }
      case nil:
        break
      }
    }
  }

  /// One horizontal bar chart per numeric column of a list, labelled by its text columns.
  private static func chartsForRows(_ rows: [[String: Any]], name: String) -> [String] {
    guard !rows.isEmpty else { return ["<p>\(escape(name)): none in this period</p>"] }
    let keys = Array(Set(rows.flatMap(\.keys))).sorted()
    let labelKeys = keys.filter { key in rows.contains { row in row[key].map { number($0) == nil } ?? false } }
    let valueKeys = keys.filter { key in rows.allSatisfy { row in row[key].map { number($0) != nil } ?? true } }
    return valueKeys.map { valueKey in
      let bars = rows.map { row -> (String, Double) in
        let label = labelKeys.compactMap { row[$0].map { "\($0)" } }.joined(separator: " / ")
        return (label.isEmpty ? "(all)" : label, row[valueKey].flatMap(number) ?? 0)
      }
      return "<figure><figcaption>\(escape(name)): \(escape(valueKey))</figcaption>\(svg(bars))</figure>"
    }
  }

  private static func svg(_ bars: [(String, Double)]) -> String {
    let rowHeight = 22, labelWidth = 260, chartWidth = 480
    let height = bars.count * rowHeight + 4
    let maximum = max(bars.map(\.1).max() ?? 0, 1e-9)
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + chartWidth + 90)\" height=\"\(height)\" role=\"img\">"
    for (index, (label, value)) in bars.enumerated() {
      let y = index * rowHeight + 2
      let width = max(0, Int(Double(chartWidth) * value / maximum))
      svg += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 15)\" text-anchor=\"end\" font-size=\"12\">\(escape(label))</text>"
      svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(width)\" height=\"\(rowHeight - 6)\" fill=\"#4a78c2\"/>"
      let text = value == value.rounded() ? String(Int64(value)) : String(format: "%.3f", value)
      svg += "<text x=\"\(labelWidth + width + 6)\" y=\"\(y + 15)\" font-size=\"12\">\(text)</text>"
    }
    return svg + "</svg>"
  }

  private static func bar(_ ratio: Double) -> String {
    let width = Int(max(0, min(1, ratio)) * 160)
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"8\"><rect width=\"160\" height=\"8\" fill=\"#eee\"/><rect width=\"\(width)\" height=\"8\" fill=\"#4a78c2\"/></svg>"
  }
}
