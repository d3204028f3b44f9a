import Foundation
import SwiftASN1
import X509

/// Writes the files of a credentials directory: certificates readable by all, secrets by the
/// owner only, from the moment they exist (never written first and restricted after).
struct CredentialFiles {
  let directory: URL

  func makeDirectories(_ names: [String]) throws {
    let manager = FileManager.default
    try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    for name in names {
      try manager.createDirectory(
        at: directory.appendingPathComponent(name), withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o700])
    }
  }

  func write(certificate: Certificate, to url: URL) throws {
    try write(text: try certificate.serializeAsPEM().pemString + "\n", to: url, mode: 0o644)
  }

  /// A private key or a token: mode 600.
  func write(secret text: String, to url: URL) throws {
    try write(text: text, to: url, mode: 0o600)
  }

  func write(text: String, to url: URL, mode: mode_t) throws {
    let path = url.path
    unlink(path)
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
    guard descriptor >= 0 else {
      throw DevelopmentCredentialsError("cannot create \(path): \(String(cString: strerror(errno)))")
    }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    // The umask may have taken bits away from a certificate's mode; a secret's is already 600.
    fchmod(descriptor, mode)
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
  }
}
