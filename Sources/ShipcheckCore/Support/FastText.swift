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

    /// Every occurrence of `needle` replaced, found by `firstByteOffset`: Foundation's
    /// `replacingOccurrences` goes through NSString.
    public func replacingBytes(_ needle: String, with replacement: String) -> String {
        guard !needle.isEmpty, var found = firstByteOffset(of: needle, from: 0) else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var copied = 0
        while true {
            out += bytes[copied..<found]
            out += replacement.utf8
            copied = found + needle.utf8.count
            guard let next = firstByteOffset(of: needle, from: copied) else { break }
            found = next
        }
        out += bytes[copied...]
        return String(decoding: out, as: UTF8.self)
    }
}

/// Substring tests on UTF-8 bytes. Foundation's `contains` goes through NSString and dominated the
/// import's profile; these are plain byte scans.
extension StringProtocol {
    public func has(_ needle: String) -> Bool {
        withUTF8Buffer { haystack in Self.contains(needle, in: haystack) }
    }

    public func hasAny(_ needles: [String]) -> Bool {
        withUTF8Buffer { haystack in needles.contains { Self.contains($0, in: haystack) } }
    }

    /// The text's UTF-8 bytes in place when they are stored contiguously (a native string or a
    /// slice of one), else copied once.
    private func withUTF8Buffer<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(utf8).withUnsafeBufferPointer(body)
    }

    private static func contains(_ needle: String, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        if let found = needle.utf8.withContiguousStorageIfAvailable({ find($0, in: haystack) }) { return found }
        return Array(needle.utf8).withUnsafeBufferPointer { find($0, in: haystack) }
    }

    private static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
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
        trimmingScalars { $0 == " " || $0 == "\t" }
    }

    /// Without the leading and trailing scalars `drop` names: `trimmingCharacters(in:)` without its
    /// NSString round trip and character-set start-up.
    public func trimmingScalars(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = String(self).unicodeScalars
        guard let start = scalars.firstIndex(where: { !drop($0) }), let end = scalars.lastIndex(where: { !drop($0) })
        else { return "" }
        // Through Substring: a UnicodeScalarView built from a slice appends scalar by scalar.
        return String(Substring(scalars[start...end]))
    }

    /// Without leading and trailing tabs and space separators: `trimmingCharacters(in: .whitespaces)`.
    public var trimmedWhitespace: String {
        trimmingScalars(\.isHorizontalSpace)
    }

    /// Without leading and trailing horizontal whitespace and any of `others`.
    public func trimmingWhitespace(and others: String) -> String {
        trimmingScalars { $0.isHorizontalSpace || others.unicodeScalars.contains($0) }
    }
}

extension StringProtocol {
    /// Whether this is an ASCII letter followed by at least `minimumRest` characters, each an ASCII
    /// letter, digit or one of `others`: names and URL schemes, checked without starting ICU's
    /// regular expressions (which cost a millisecond at start-up).
    public func isLetterLedName(others: String, minimumRest: Int = 0) -> Bool {
        var bytes = utf8.makeIterator()
        guard let first = bytes.next(), first.isASCIILetter else { return false }
        let allowed = Set(others.utf8)
        var rest = 0
        while let byte = bytes.next() {
            guard byte.isASCIILetter || (48...57).contains(byte) || allowed.contains(byte) else { return false }
            rest += 1
        }
        return rest >= minimumRest
    }
}

extension Unicode.Scalar {
    /// A tab or a space separator (Unicode category Zs): what `CharacterSet.whitespaces` holds.
    public var isHorizontalSpace: Bool {
        value == 0x20 || value == 0x09 || (value >= 0xA0 && properties.generalCategory == .spaceSeparator)
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool { (65...90).contains(self) || (97...122).contains(self) }
}
