import Foundation
import SwiftProtobuf

extension Google_Protobuf_Timestamp {
  /// The timestamp of `date`, rounded to milliseconds as the stores keep times.
  public init(storeDate date: Date) {
    self.init(date: Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000))
  }
}
