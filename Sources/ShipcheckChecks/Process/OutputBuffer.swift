/// Keeps the first and last bytes of a stream up to a cap, so that a check printing gigabytes
/// keeps memory flat while the report still shows how the output began and how it ended.
struct OutputBuffer: Sendable {
    let headLimit: Int
    let tailLimit: Int
    private(set) var head: [UInt8] = []
    private var ring: [UInt8]
    private var ringStart = 0
    private(set) var totalBytes = 0
    private(set) var newlines = 0
    private var lastByte: UInt8?

    init(limit: Int) {
        headLimit = max(0, limit / 2)
        tailLimit = max(0, limit - limit / 2)
        ring = []
        ring.reserveCapacity(min(tailLimit, 65_536))
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        totalBytes += bytes.count
        lastByte = bytes.last
        for byte in bytes where byte == 0x0A { newlines += 1 }
        var rest = bytes[...]
        if head.count < headLimit {
            let take = min(headLimit - head.count, rest.count)
            head.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty, tailLimit > 0 else { return }
        if rest.count >= tailLimit {
            ring = Array(rest.suffix(tailLimit))
            ringStart = 0
            return
        }
        for byte in rest {
            if ring.count < tailLimit {
                ring.append(byte)
            } else {
                ring[ringStart] = byte
                ringStart = (ringStart + 1) % tailLimit
            }
        }
    }

    /// Lines in the whole stream, counting a last line without a newline.
    var lineCount: Int {
        newlines + (lastByte != nil && lastByte != 0x0A ? 1 : 0)
    }

    var omittedBytes: Int { totalBytes - head.count - ring.count }

    /// Head and tail as text, with a marker where bytes were left out.
    var text: String {
        let tail = Array(ring[ringStart...] + ring[..<ringStart])
        if omittedBytes <= 0 {
            return String(decoding: head + tail, as: UTF8.self)
        }
        return String(decoding: head, as: UTF8.self)
            + "\n… [\(omittedBytes) bytes omitted] …\n"
            + String(decoding: tail, as: UTF8.self)
    }
}
