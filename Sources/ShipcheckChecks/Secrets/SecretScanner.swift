import Crypto
import Foundation

/// One credential found: where, which rule, and never the secret itself.
public struct SecretFinding: Sendable, Hashable, Codable {
    public let file: String
    public let line: Int
    public let rule: String
    /// The first characters and the length: `ghp_…(40 chars)`.
    public let masked: String
    /// First 16 hex digits of the SHA-256 of the secret, for allowlists.
    public let fingerprint: String

    public var description: String { "\(file):\(line): \(rule) \(masked)" }
}

/// Scans text for credentials. A single pass over the bytes finds candidate lines (a rule's literal
/// keyword, or a quote for the entropy test); only those lines meet the regular expressions.
public struct SecretScanner: Sendable {
    public let rules: [SecretRule]
    public let entropy: Bool
    static let allowMarkers = ["pragma: allowlist secret", "shipcheck:allow-secret"]
    static let maximumLineLength = 16_384

    /// Keyword bytes by first (lower-cased) byte, for the prefilter.
    private let keywordTable: [[(rule: Int, bytes: [UInt8], caseSensitive: Bool)]]

    public init(rules: [SecretRule] = SecretRules.all, entropy: Bool = true) {
        self.rules = rules
        self.entropy = entropy
        var table = [[(rule: Int, bytes: [UInt8], caseSensitive: Bool)]](repeating: [], count: 256)
        for (index, rule) in rules.enumerated() {
            for keyword in rule.keywords {
                let bytes = Array((rule.caseSensitive ? keyword : keyword.lowercased()).utf8)
                table[Int(Self.lower(bytes[0]))].append((index, bytes, rule.caseSensitive))
            }
        }
        keywordTable = table
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    // MARK: - Inputs

    /// Every line of one file.
    public func scan(file: String, bytes: [UInt8]) -> [SecretFinding] {
        var findings: [SecretFinding] = []
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            var number = 1
            while start <= buffer.count {
                let end = Self.lineEnd(buffer, from: start)
                scanLine(buffer, start..<end, file: file, line: number, into: &findings)
                number += 1
                start = end + 1
            }
        }
        return findings
    }

    /// The added lines of a unified diff (`git diff`), with their new line numbers.
    public func scan(diff bytes: [UInt8]) -> [SecretFinding] {
        var findings: [SecretFinding] = []
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            var file = ""
            var newLine = 0
            while start < buffer.count {
                let end = Self.lineEnd(buffer, from: start)
                let first = buffer[start]
                if first == UInt8(ascii: "+") {
                    if end - start >= 4, buffer[start + 1] == 43, buffer[start + 2] == 43, buffer[start + 3] == 32 {
                        file = Self.diffPath(buffer, (start + 4)..<end)
                    } else {
                        scanLine(buffer, (start + 1)..<end, file: file, line: newLine, into: &findings)
                        newLine += 1
                    }
                } else if first == UInt8(ascii: " ") {
                    newLine += 1
                } else if first == UInt8(ascii: "@") {
                    newLine = Self.hunkStart(buffer, start..<end) ?? newLine
                }
                start = end + 1
            }
        }
        return findings
    }

    static func lineEnd(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < buffer.count, let base = buffer.baseAddress else { return buffer.count }
        if let found = memchr(base + start, 10, buffer.count - start) {
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        return buffer.count
    }

    static func diffPath(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        var path = String(decoding: buffer[range], as: UTF8.self)
        if path.hasSuffix("\r") { path.removeLast() }
        if path.hasPrefix("b/") { path.removeFirst(2) }
        return path
    }

    /// `@@ -a,b +c,d @@` → c.
    static func hunkStart(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard let plus = buffer[range].firstIndex(of: UInt8(ascii: "+")) else { return nil }
        var value = 0
        var index = plus + 1
        while index < range.upperBound, buffer[index] >= 48, buffer[index] <= 57 {
            value = value * 10 + Int(buffer[index] - 48)
            index += 1
        }
        return index > plus + 1 ? value : nil
    }

    // MARK: - Lines

    private func scanLine(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, file: String, line: Int,
                          into findings: inout [SecretFinding]) {
        guard !range.isEmpty, range.count <= Self.maximumLineLength else { return }
        var candidates: UInt64 = 0
        var hasQuote = false
        var index = range.lowerBound
        let upper = range.upperBound
        while index < upper {
            let byte = buffer[index]
            if byte == 34 || byte == 39 {
                hasQuote = true
            } else {
                let folded = Self.lower(byte)
                let entries = keywordTable[Int(folded)]
                if !entries.isEmpty {
                    for entry in entries where candidates & (1 << entry.rule) == 0 && index + entry.bytes.count <= upper {
                        var offset = 1
                        if entry.caseSensitive {
                            if byte != entry.bytes[0] { continue }
                            while offset < entry.bytes.count, buffer[index + offset] == entry.bytes[offset] { offset += 1 }
                        } else {
                            while offset < entry.bytes.count, Self.lower(buffer[index + offset]) == entry.bytes[offset] { offset += 1 }
                        }
                        if offset == entry.bytes.count { candidates |= 1 << entry.rule }
                    }
                }
            }
            index += 1
        }
        guard candidates != 0 || (entropy && hasQuote) else { return }
        let text = String(decoding: buffer[range], as: UTF8.self)
        if Self.allowMarkers.contains(where: { text.contains($0) }) { return }
        var seen: Set<String> = []
        for (ruleIndex, rule) in rules.enumerated() where candidates & (1 << ruleIndex) != 0 {
            let nsRange = NSRange(text.startIndex..., in: text)
            for match in rule.regex.matches(in: text, range: nsRange) {
                let group = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                guard let swiftRange = Range(group, in: text) else { continue }
                let secret = String(text[swiftRange])
                if rule.rejectsPlaceholders, SecretRules.isPlaceholder(secret) { continue }
                guard seen.insert(secret).inserted else { continue }
                findings.append(Self.finding(file: file, line: line, rule: rule.id, secret: secret))
            }
        }
        if entropy && hasQuote {
            for token in Self.quotedTokens(text) where !seen.contains(token) {
                if let rule = Self.highEntropyRule(token) {
                    seen.insert(token)
                    findings.append(Self.finding(file: file, line: line, rule: rule, secret: token))
                }
            }
        }
    }

    static func finding(file: String, line: Int, rule: String, secret: String) -> SecretFinding {
        let digest = SHA256.hash(data: Data(secret.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return SecretFinding(file: file, line: line, rule: rule, masked: mask(secret), fingerprint: digest)
    }

    /// Shows only a prefix short enough to say what it is: `ghp_…(40 chars)`.
    static func mask(_ secret: String) -> String {
        let count = secret.count
        guard count >= 12 else { return "***(\(count) chars)" }
        let shown = secret.hasPrefix("-----") ? secret.prefix(15) : secret.prefix(4)
        return "\(shown)…(\(count) chars)"
    }

    // MARK: - Entropy

    /// Quoted strings of 20 or more characters from a base64 or hex alphabet.
    static func quotedTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        let scalars = Array(text.utf8)
        var index = 0
        while index < scalars.count {
            let quote = scalars[index]
            guard quote == 34 || quote == 39 else {
                index += 1
                continue
            }
            var end = index + 1
            while end < scalars.count, scalars[end] != quote, isTokenByte(scalars[end]) { end += 1 }
            if end < scalars.count, scalars[end] == quote, end - index - 1 >= 20 {
                tokens.append(String(decoding: scalars[(index + 1)..<end], as: UTF8.self))
            }
            index = end + (end < scalars.count && scalars[end] == quote ? 1 : 0)
            if index <= end { index = end + 1 }
        }
        return tokens
    }

    @inline(__always) static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 43 || byte == 47
            || byte == 61 || byte == 45 || byte == 95
    }

    /// detect-secrets' limits: Shannon entropy above 4.5 bits for base64, 3.0 for hex.
    static func highEntropyRule(_ token: String) -> String? {
        let bytes = Array(token.utf8)
        let isHex = bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
        let value = shannon(bytes)
        if isHex {
            // An all-digit string is a number, not a key.
            return value > 3.0 && bytes.contains(where: { $0 > 57 }) ? "high-entropy-hex" : nil
        }
        return value > 4.5 ? "high-entropy-base64" : nil
    }

    static func shannon(_ bytes: [UInt8]) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        var entropy = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            entropy -= p * log2(p)
        }
        return entropy
    }
}
