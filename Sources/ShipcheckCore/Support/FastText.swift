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
