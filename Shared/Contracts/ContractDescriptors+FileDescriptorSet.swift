import Foundation
import SwiftProtobuf

extension ContractDescriptors {
  /// The suite's protos, decoded: what server reflection indexes and serves.
  public static func fileDescriptorSet() throws -> Google_Protobuf_FileDescriptorSet {
    guard let bytes = Data(base64Encoded: fileDescriptorSetBase64, options: .ignoreUnknownCharacters)
    else { throw ContractDescriptorsError.malformedBase64 }
    return try Google_Protobuf_FileDescriptorSet(serializedBytes: bytes)
  }
}

/// The embedded descriptor set could not be read; regenerate with proto/generate.sh.
public enum ContractDescriptorsError: Error {
  case malformedBase64
}
