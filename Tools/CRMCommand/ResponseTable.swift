import Foundation

/// Renders a response for people: plain fields as `name  value` lines (nested ones with dotted
/// names), and a list of objects as a table with a column per field.
enum ResponseTable {
  static func render(json: String) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else { return json }
    if object.isEmpty { return "(empty response: OK)" }
    var lines: [(String, String)] = []
    var tables: [String] = []
    flatten(object, prefix: "", into: &lines, tables: &tables)
    let width = lines.map(\.0.count).max() ?? 0
    let plain = lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
    return (plain + tables).joined(separator: "\n")
  }

  private static func flatten(_ object: [String: Any], prefix: String, into lines: inout [(String, String)], tables: inout [String]) {
    for key in object.keys.sorted() {
      let name = prefix.isEmpty ? key : "\(prefix).\(key)"
      switch object[key] {
      case let nested as [String: Any]:
        flatten(nested, prefix: name, into: &lines, tables: &tables)
      case let list as [[String: Any]]:
        tables.append("\n\(name) (\(list.count)):\n" + table(list))
      case let list as [Any]:
        lines.append((name, list.map(text).joined(separator: ", ")))
      case let value?:
        lines.append((name, text(value)))
      case nil:
        break
      }
    }
  }

  private static func table(_ rows: [[String: Any]]) -> String {
    var columns: [String] = []
    var flatRows: [[String: String]] = []
    for row in rows {
      var lines: [(String, String)] = []
      var nestedTables: [String] = []
      flatten(row, prefix: "", into: &lines, tables: &nestedTables)
      var flat: [String: String] = [:]
      for (key, value) in lines {
        if !columns.contains(key) { columns.append(key) }
        flat[key] = value
      }
      flatRows.append(flat)
    }
    let widths = columns.map { column in max(column.count, flatRows.map { ($0[column] ?? "").count }.max() ?? 0) }
    func line(_ cells: [String]) -> String {
      zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    return ([line(columns)] + flatRows.map { row in line(columns.map { row[$0] ?? "" }) }).joined(separator: "\n")
  }

  private static func text(_ value: Any) -> String { "\(value)" }
}
