import Foundation
import ServiceKit

/// One service's part of the report: its figures (protobuf JSON as objects) or why they are missing.
struct ReportSection {
  let title: String
  let service: SuiteService
  let figures: [String: Any]?
  let error: String?
}



/// The gathered report and its three renderings.
struct ReportDocument {
  let from: Date
  let to: Date
  let sections: [ReportSection]

  private var period: String {
    let formatter = ISO8601DateFormatter()
    return "\(formatter.string(from: from)) to \(formatter.string(from: to))"
  }

  /// For the terminal: a heading and the flattened figures per service.
  func table() -> String {
    var out = ["CRM suite report, \(period)"]
    for section in sections {
      out.append("\n== \(section.title)")
      if let error = section.error {
        out.append("unavailable: \(error)")
      } else if let figures = section.figures, let data = try? JSONSerialization.data(withJSONObject: figures) {
        out.append(ResponseTable.render(json: String(decoding: data, as: UTF8.self)))
      }
    }
    return out.joined(separator: "\n")
  }

  /// For scripts: `{from, to, services: {name: figures | {error}}}`.
  func json() throws -> String {
    let formatter = ISO8601DateFormatter()
    var services: [String: Any] = [:]
    for section in sections {
      services[section.service.rawValue] = section.figures ?? ["error": section.error ?? "unknown"]
    }
    let object: [String: Any] = ["from": formatter.string(from: from), "to": formatter.string(from: to), "services": services]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self)
  }

  /// For managers: one self-contained page (inline CSS and SVG, no network fetches).
  func html() -> String {
    var body = "<h1>CRM suite report</h1><p class=\"period\">\(escape(period))</p>"
    for section in sections {
      body += "<section><h2>\(escape(section.title))</h2>"
      if let error = section.error {
        body += "<p class=\"error\">Unavailable: \(escape(error))</p>"
      } else if let figures = section.figures {
        body += ReportCharts.render(figures)
      }
      body += "</section>"
    }
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>CRM suite report</title>
      <style>
      body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
      h1{margin-bottom:0}.period{color:#666;margin-top:.2rem}
      section{border-top:1px solid #ddd;margin-top:1.5rem;padding-top:.5rem}
      .tiles{display:flex;flex-wrap:wrap;gap:.8rem}.tile{border:1px solid #e3e3e3;border-radius:6px;padding:.6rem .8rem;min-width:11rem}
      .tile .name{font-size:.8rem;color:#666}.tile .value{font-size:1.4rem;font-weight:600}
      figure{margin:1rem 0}figcaption{font-size:.9rem;color:#444;margin-bottom:.3rem}.error{color:#b00}
      </style></head><body>
      \(body)
      </body></html>
      """
  }
}

func escape(_ text: String) -> String {
  text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
