import Foundation
import ServiceKit

/// A message text with `{{placeholder}}`s filled from the customer's profile.
struct TemplateText {
  /// The placeholders a template may name.
  static let placeholders: Set<String> = ["name", "tier", "tags"]

  enum Piece: Equatable {
    case text(String)
    case placeholder(String)
  }

  let pieces: [Piece]

  /// Parses `body`; INVALID_ARGUMENT on `field` for an unknown or unclosed placeholder, so a
  /// broken template is refused when saved rather than sent half-filled.
  init(parsing body: String, field: String) throws(ServiceError) {
    var pieces: [Piece] = []
    var rest = Substring(body)
    while let open = rest.range(of: "{{") {
      pieces.append(.text(String(rest[..<open.lowerBound])))
      guard let close = rest[open.upperBound...].range(of: "}}") else {
        throw .invalidArgument(field: field, reason: "has a '{{' without its '}}'")
      }
      let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      guard Self.placeholders.contains(name) else {
        throw .invalidArgument(
          field: field, reason: "names the unknown placeholder \(FieldValidation.quoted("{{\(name)}}")) (known: name, tier, tags)")
      }
      pieces.append(.placeholder(name))
      rest = rest[close.upperBound...]
    }
    pieces.append(.text(String(rest)))
    self.pieces = pieces.filter { $0 != .text("") }
  }

  /// The text for `facts`.
  func render(_ facts: CustomerFacts) -> String {
    pieces.map { piece in
      switch piece {
      case .text(let text): text
      case .placeholder("name"): facts.displayName
      case .placeholder("tier"): facts.tier
      case .placeholder("tags"): facts.tags.joined(separator: ", ")
      case .placeholder: ""
      }
    }.joined()
  }
}
