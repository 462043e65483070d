#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// Whether `needle` occurs, by a memchr-driven scan of the UTF-8 storage in place: for texts of a
    /// megabyte (a check's output), where `contains` would go through NSString and `has` copy it.
    public func containsBytes(_ needle: String) -> Bool {
        firstByteOffset(of: needle, from: 0) != nil
    }

    /// The UTF-8 offset of `needle`'s first occurrence at or after `start`.
    public func firstByteOffset(of needle: String, from start: Int) -> Int? {
        var text = self
        let pattern = Array(needle.utf8)
        return text.withUTF8 { haystack -> Int? in
            guard let base = haystack.baseAddress, let first = pattern.first else { return nil }
            var offset = start
            while offset + pattern.count <= haystack.count {
                guard let found = memchr(base + offset, Int32(first), haystack.count - offset - pattern.count + 1)
                else { return nil }
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + index, pattern, pattern.count) == 0 { return index }
                offset = index + 1
            }
            return nil
        }
    }
}

/// Substring tests on UTF-8 bytes. Foundation's `contains` goes through NSString and dominated the
/// import's profile; these are plain byte scans.
extension StringProtocol {
    public func has(_ needle: String) -> Bool {
        Self.find(Array(needle.utf8), in: Array(utf8))
    }

    public func hasAny(_ needles: [String]) -> Bool {
        let haystack = Array(utf8)
        return needles.contains { Self.find(Array($0.utf8), in: haystack) }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count, haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
    }

    /// Without leading and trailing spaces and tabs.
    public var trimmedSpaces: String {
        let scalars = String(self).unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
