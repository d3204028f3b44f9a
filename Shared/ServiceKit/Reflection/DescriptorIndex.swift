import Contracts
import SwiftProtobuf

/// The suite's proto files indexed the way reflection asks for them: by file name, by the
/// fully qualified name of a symbol, and by extension.
struct DescriptorIndex: Sendable {
  private var files: [String: Google_Protobuf_FileDescriptorProto] = [:]
  private var serialized: [String: [UInt8]] = [:]
  private var fileOfSymbol: [String: String] = [:]
  private var fileOfExtension: [ExtensionID: String] = [:]
  private var messageNames: Set<String> = []

  private struct ExtensionID: Hashable {
    var extendee: String
    var number: Int32
  }

  init(_ set: Google_Protobuf_FileDescriptorSet) throws {
    for file in set.file {
      files[file.name] = file
      serialized[file.name] = try file.serializedBytes()
      let package = file.package.isEmpty ? "" : file.package + "."
      for message in file.messageType { index(message, prefix: package, file: file.name) }
      for enumeration in file.enumType { fileOfSymbol[package + enumeration.name] = file.name }
      for service in file.service {
        let name = package + service.name
        fileOfSymbol[name] = file.name
        for method in service.method { fileOfSymbol[name + "." + method.name] = file.name }
      }
      for field in file.extension { indexExtension(field, prefix: package, file: file.name) }
    }
  }

  private mutating func index(_ message: Google_Protobuf_DescriptorProto, prefix: String, file: String) {
    let name = prefix + message.name
    fileOfSymbol[name] = file
    messageNames.insert(name)
    for nested in message.nestedType { index(nested, prefix: name + ".", file: file) }
    for enumeration in message.enumType { fileOfSymbol[name + "." + enumeration.name] = file }
    for field in message.extension { indexExtension(field, prefix: name + ".", file: file) }
  }

  private mutating func indexExtension(_ field: Google_Protobuf_FieldDescriptorProto, prefix: String, file: String) {
    fileOfSymbol[prefix + field.name] = file
    let extendee = field.extendee.hasPrefix(".") ? String(field.extendee.dropFirst()) : field.extendee
    fileOfExtension[ExtensionID(extendee: extendee, number: field.number)] = file
  }

  /// The file named `name` and every file it imports, transitively, the file itself first.
  func fileWithDependencies(named name: String) -> [[UInt8]]? {
    guard files[name] != nil else { return nil }
    var ordered: [String] = []
    var seen: Set<String> = []
    func visit(_ name: String) {
      guard seen.insert(name).inserted, let file = files[name] else { return }
      ordered.append(name)
      for dependency in file.dependency { visit(dependency) }
    }
    visit(name)
    return ordered.compactMap { serialized[$0] }
  }

  /// The file that declares `symbol` (a package, message, enum, service or method name).
  func file(declaring symbol: String) -> String? {
    fileOfSymbol[symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol]
  }

  /// The file that declares extension `number` of `extendee`.
  func file(extending extendee: String, number: Int32) -> String? {
    fileOfExtension[ExtensionID(extendee: extendee, number: number)]
  }

  /// The extension numbers of `message`, or nil when the message is unknown.
  func extensionNumbers(of message: String) -> [Int32]? {
    guard messageNames.contains(message) else { return nil }
    return fileOfExtension.keys.filter { $0.extendee == message }.map(\.number).sorted()
  }
}
