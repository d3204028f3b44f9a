import ArgumentParser
import Contracts
import Foundation
import SwiftProtobuf

/// Builds a request as protobuf JSON from `--body` and positional values.
enum RequestBody {
  /// The request JSON: `body` (JSON, @file or - for stdin) with `values` laid over the request's
  /// plain (non-message, non-repeated) fields in declaration order.
  static func build(for messageName: String, body: String?, values: [String]) throws -> String {
    var object: [String: Any] = [:]
    if let body {
      let text: String
      if body == "-" {
        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
      } else if body.hasPrefix("@") {
        let path = String(body.dropFirst())
        guard let data = FileManager.default.contents(atPath: path) else {
          throw ValidationError("--body: cannot read \(path)")
        }
        text = String(decoding: data, as: UTF8.self)
      } else {
        text = body
      }
      guard let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw ValidationError("--body: not a JSON object")
      }
      object = parsed
    }
    if !values.isEmpty {
      let fields = try plainFields(of: messageName)
      guard values.count <= fields.count else {
        throw ValidationError(
          "\(messageName) takes at most \(fields.count) positional value(s) (\(fields.map(\.jsonName).joined(separator: ", "))); use --body for the rest")
      }
      for (value, field) in zip(values, fields) {
        object[field.jsonName] = field.type == .bool ? (value == "true" || value == "1") as Any : value
      }
    }
    let data = try JSONSerialization.data(withJSONObject: object)
    return String(decoding: data, as: UTF8.self)
  }

  /// The request's fields a positional value can fill.
  static func plainFields(of messageName: String) throws -> [Google_Protobuf_FieldDescriptorProto] {
    let set = try ContractDescriptors.fileDescriptorSet()
    for file in set.file {
      for message in file.messageType where "\(file.package).\(message.name)" == messageName {
        return message.field.filter { $0.label != .repeated && $0.type != .message && $0.type != .group }
      }
    }
    return []
  }
}
