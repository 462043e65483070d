public import Foundation

extension Data {
    /// The bytes as an array, copied in one block (`[UInt8](data)` walks the bytes one by one).
    public var byteArray: [UInt8] {
        withUnsafeBytes { raw in [UInt8](raw.bindMemory(to: UInt8.self)) }
    }
}
