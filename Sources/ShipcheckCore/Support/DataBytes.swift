public import Foundation

extension Data {
    /// The bytes as an array, copied in one block (`[UInt8](data)` walks the bytes one by one).
    public var byteArray: [UInt8] {
        withUnsafeBytes { raw in [UInt8](raw.bindMemory(to: UInt8.self)) }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

public enum FileBytes {
    /// A file's bytes read straight into an array (no `Data` to copy them out of), when it is
    /// at most `limit` bytes; nil when it cannot be read or is larger.
    public static func contents(of path: String, limit: Int) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) <= limit else { return nil }
        let size = Int(status.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            while count < size {
                let got = read(descriptor, base + count, size - count)
                if got < 0, errno == EINTR { continue }
                if got <= 0 {
                    failed = got < 0
                    break
                }
                count += got
            }
        }
        return failed ? nil : bytes
    }
}
