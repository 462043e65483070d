import CShipcheckSpawn

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

    /// Block copies only, and newlines counted by a vectorised loop: a check printing gigabytes costs
    /// little more than the pipe.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        totalBytes += bytes.count
        lastByte = bytes.last
        newlines += Self.countNewlines(bytes)
        var rest = bytes[...]
        if head.count < headLimit {
            let take = min(headLimit - head.count, rest.count)
            head.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        guard !rest.isEmpty, tailLimit > 0 else { return }
        if rest.count >= tailLimit { rest = rest.suffix(tailLimit) }
        // Fill the ring up to its size, then overwrite its oldest bytes in at most two copies.
        if ring.count < tailLimit {
            let take = min(tailLimit - ring.count, rest.count)
            ring.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
        }
        while !rest.isEmpty {
            let take = min(tailLimit - ringStart, rest.count)
            let start = ringStart
            ring.withUnsafeMutableBytes { storage in
                UnsafeMutableRawBufferPointer(rebasing: storage[start..<(start + take)]).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            }
            ringStart = (ringStart + take) % tailLimit
            rest = rest.dropFirst(take)
        }
    }

    static func countNewlines(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return shipcheck_count_byte(base.assumingMemoryBound(to: UInt8.self), bytes.count, 0x0A)
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
