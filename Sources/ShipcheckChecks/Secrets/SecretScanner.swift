import Crypto
import Foundation

/// One credential found: where, which rule, and never the secret itself.
public struct SecretFinding: Sendable, Hashable, Codable {
    public let file: String
    public let line: Int
    public let rule: String
    /// The first characters and the length: `ghp_…(40 chars)`.
    public let masked: String
    /// First 16 hex digits of an HMAC-SHA256 of the secret under the repository's own key
    /// (`.shipcheck/secrets-key`), for allowlists. Keyed, so that a short secret cannot be confirmed
    /// offline by hashing guesses; without a key (no repository to keep one in) the plain SHA-256.
    public let fingerprint: String

    public var description: String { "\(file):\(line): \(rule) \(masked)" }
}

/// Scans text for credentials. A single pass over the bytes finds candidate lines (a rule's literal
/// keyword, or a quote for the entropy test); only those lines meet the regular expressions.
public struct SecretScanner: Sendable {
    public let rules: [SecretRule]
    public let entropy: Bool
    /// The key of the keyed fingerprints; nil gives plain SHA-256 fingerprints.
    public let fingerprintKey: [UInt8]?
    static let allowMarkers = ["pragma: allowlist secret", "shipcheck:allow-secret"]
    static let maximumLineLength = 16_384

    /// The prefilter's tables, flat so that the hot loop does no reference counting: the keywords
    /// starting with the (lower-cased) byte pair `a, b` are entries `pairEntries[a << 8 | b]..<pairEntries[(a << 8 | b) + 1]`.
    private let pairEntries: [Int32]
    private let pairBits: [UInt64]
    private let entryRule: [UInt8]
    private let entryCaseSensitive: [Bool]
    private let entryStart: [Int32]
    private let entryLength: [Int32]
    private let keywordBytes: [UInt8]
    /// 1 for bytes of base64/hex tokens, for the entropy prefilter.
    private static let tokenBytes: [UInt8] = (0..<256).map { isTokenByte(UInt8($0)) ? 1 : 0 }

    public init(rules: [SecretRule] = SecretRules.all, entropy: Bool = true, fingerprintKey: [UInt8]? = nil) {
        self.rules = rules
        self.entropy = entropy
        self.fingerprintKey = fingerprintKey
        var byPair = [[(rule: Int, bytes: [UInt8], caseSensitive: Bool)]](repeating: [], count: 65_536)
        for (index, rule) in rules.enumerated() {
            for keyword in rule.keywords {
                let bytes = Array((rule.caseSensitive ? keyword : keyword.lowercased()).utf8)
                precondition(bytes.count >= 2, "secret keywords have at least two bytes")
                byPair[Int(Self.lower(bytes[0])) << 8 | Int(Self.lower(bytes[1]))].append(
                    (index, bytes, rule.caseSensitive))
            }
        }
        var first: [Int32] = [0]
        var ruleIDs: [UInt8] = []
        var cases: [Bool] = []
        var starts: [Int32] = []
        var lengths: [Int32] = []
        var bytes: [UInt8] = []
        for entries in byPair {
            for entry in entries {
                ruleIDs.append(UInt8(entry.rule))
                cases.append(entry.caseSensitive)
                starts.append(Int32(bytes.count))
                lengths.append(Int32(entry.bytes.count))
                bytes += entry.bytes
            }
            first.append(Int32(ruleIDs.count))
        }
        pairEntries = first
        var bits = [UInt64](repeating: 0, count: 1024)
        for pair in 0..<65_536 where first[pair + 1] > first[pair] { bits[pair >> 6] |= 1 << UInt64(pair & 63) }
        pairBits = bits
        entryRule = ruleIDs
        entryCaseSensitive = cases
        entryStart = starts
        entryLength = lengths
        keywordBytes = bytes
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    // MARK: - Inputs

    /// Every line of one file.
    public func scan(file: String, bytes: [UInt8]) -> [SecretFinding] {
        var findings: [SecretFinding] = []
        let testFile = SecretNoise.isTestPath(file)
        withTables { tables in
            bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                var number = 1
                while start <= buffer.count {
                    let end = Self.lineEnd(buffer, from: start)
                    scanLine(
                        buffer, start..<end, file: file, testFile: testFile, line: number, tables: tables,
                        into: &findings)
                    number += 1
                    start = end + 1
                }
            }
        }
        return findings
    }

    /// The added lines of a unified diff (`git diff`), with their new line numbers.
    public func scan(diff bytes: [UInt8]) -> [SecretFinding] {
        var findings: [SecretFinding] = []
        withTables { tables in
            bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                var file = ""
                var testFile = false
                var newLine = 0
                while start < buffer.count {
                    let end = Self.lineEnd(buffer, from: start)
                    let first = buffer[start]
                    if first == UInt8(ascii: "+") {
                        if end - start >= 4, buffer[start + 1] == 43, buffer[start + 2] == 43, buffer[start + 3] == 32 {
                            file = Self.diffPath(buffer, (start + 4)..<end)
                            testFile = SecretNoise.isTestPath(file)
                        } else {
                            scanLine(
                                buffer, (start + 1)..<end, file: file, testFile: testFile, line: newLine,
                                tables: tables, into: &findings)
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

    /// The prefilter's tables as raw pointers, taken once per scan.
    struct Tables {
        let pairs: UnsafeBufferPointer<Int32>
        /// One bit per byte pair that starts a keyword: 8 KiB, so the common miss stays in the L1 cache.
        let pairBits: UnsafeBufferPointer<UInt64>
        let rule: UnsafeBufferPointer<UInt8>
        let caseSensitive: UnsafeBufferPointer<Bool>
        let start: UnsafeBufferPointer<Int32>
        let length: UnsafeBufferPointer<Int32>
        let keywords: UnsafeBufferPointer<UInt8>
        let token: UnsafeBufferPointer<UInt8>
    }

    func withTables<R>(_ body: (Tables) -> R) -> R {
        pairEntries.withUnsafeBufferPointer { pairs in
            pairBits.withUnsafeBufferPointer { pairBits in
                entryRule.withUnsafeBufferPointer { rule in
                    entryCaseSensitive.withUnsafeBufferPointer { caseSensitive in
                        entryStart.withUnsafeBufferPointer { start in
                            entryLength.withUnsafeBufferPointer { length in
                                keywordBytes.withUnsafeBufferPointer { keywords in
                                    Self.tokenBytes.withUnsafeBufferPointer { token in
                                        body(
                                            Tables(
                                                pairs: pairs, pairBits: pairBits, rule: rule,
                                                caseSensitive: caseSensitive, start: start,
                                                length: length,
                                                keywords: keywords, token: token))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Which rules' keywords a line holds, whether it has a quoted token long enough for the entropy test,
    /// and whether it has a bare one (which counts in comments).
    func prefilter(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ t: Tables)
        -> (candidates: UInt64, quotedToken: Bool, bareToken: Bool)
    {
        var candidates: UInt64 = 0
        var quotedToken = false
        var bareToken = false
        var run = 0
        var runAfterQuote = false
        var previous: UInt8 = 0
        var index = range.lowerBound
        let upper = range.upperBound
        var folded = Self.lower(buffer[index])
        while index < upper {
            let byte = buffer[index]
            let nextFolded = index + 1 < upper ? Self.lower(buffer[index + 1]) : 0
            if t.token[Int(byte)] != 0 {
                if run == 0 { runAfterQuote = previous == 34 || previous == 39 }
                run += 1
            } else {
                if byte == 34 || byte == 39, run >= Self.shortestToken, runAfterQuote { quotedToken = true }
                if run >= Self.shortestBareToken { bareToken = true }
                run = 0
            }
            let pair = Int(folded) << 8 | Int(nextFolded)
            if t.pairBits[pair >> 6] & (1 << UInt64(pair & 63)) == 0 {
                previous = byte
                folded = nextFolded
                index += 1
                continue
            }
            var entry = Int(t.pairs[pair])
            let last = Int(t.pairs[pair + 1])
            while entry < last {
                let rule = t.rule[entry]
                let length = Int(t.length[entry])
                if candidates & (1 << rule) == 0, index + length <= upper {
                    let start = Int(t.start[entry])
                    var offset = 0
                    if t.caseSensitive[entry] {
                        while offset < length, buffer[index + offset] == t.keywords[start + offset] { offset += 1 }
                    } else {
                        while offset < length, Self.lower(buffer[index + offset]) == t.keywords[start + offset] {
                            offset += 1
                        }
                    }
                    if offset == length { candidates |= 1 << rule }
                }
                entry += 1
            }
            previous = byte
            folded = nextFolded
            index += 1
        }
        if run >= Self.shortestBareToken { bareToken = true }
        return (candidates, quotedToken, bareToken)
    }

    static let allowMarkerBytes = allowMarkers.map { Array($0.utf8) }

    static func contains(_ base: UnsafePointer<UInt8>, _ count: Int, _ needle: [UInt8]) -> Bool {
        guard count >= needle.count else { return false }
        var index = 0
        while index <= count - needle.count {
            if base[index] == needle[0] {
                var offset = 1
                while offset < needle.count, base[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
    }

    private func scanLine(
        _ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, file: String, testFile: Bool, line: Int,
        tables: Tables, into findings: inout [SecretFinding]
    ) {
        guard !range.isEmpty, range.count <= Self.maximumLineLength else { return }
        let (candidates, quotedToken, bareToken) = prefilter(buffer, range, tables)
        // A long unquoted run counts only in a comment.
        let comment = bareToken && entropy ? Self.commentStart(buffer, range) : nil
        guard candidates != 0 || (entropy && (quotedToken || comment != nil)) else { return }
        guard let base = buffer.baseAddress.map({ $0 + range.lowerBound }) else { return }
        for marker in Self.allowMarkerBytes where Self.contains(base, range.count, marker) { return }
        let text = String(decoding: buffer[range], as: UTF8.self)
        var seen: Set<String> = []
        for (ruleIndex, rule) in rules.enumerated() where candidates & (1 << ruleIndex) != 0 {
            let nsRange = NSRange(text.startIndex..., in: text)
            for match in rule.regex.matches(in: text, range: nsRange) {
                let groups = (0..<match.numberOfRanges).map { index in
                    Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
                }
                let secret = groups[min(rule.secretGroup, groups.count - 1)]
                guard !secret.isEmpty else { continue }
                if rule.rejectsPlaceholders, SecretRules.isPlaceholder(secret) { continue }
                if let isNoise = rule.isNoise, isNoise(groups) { continue }
                guard seen.insert(secret).inserted else { continue }
                findings.append(
                    Self.finding(file: file, line: line, rule: rule.id, secret: secret, key: fingerprintKey))
            }
        }
        guard entropy, quotedToken || comment != nil else { return }
        var tokens = quotedToken ? Self.quotedTokens(text) : []
        if let comment {
            let commentText = String(decoding: buffer[comment..<range.upperBound], as: UTF8.self)
            tokens += Self.bareTokens(commentText[...]).map { ($0, true) }
        }
        guard !tokens.isEmpty else { return }
        let keywordNear = SecretNoise.hasSecretKeyword(text.lowercased())
        for (token, inComment) in tokens where !seen.contains(token) {
            guard let rule = Self.highEntropyRule(token, keywordNear: keywordNear, inComment: inComment) else {
                continue
            }
            if rule == "high-entropy-hex" {
                // Test vectors and digests: in test code, or beside a hash function or a doctest prompt.
                if testFile { continue }
                if !keywordNear, SecretNoise.isDigestContext(Self.preceding(buffer, range, lines: 3).lowercased()) {
                    continue
                }
            }
            seen.insert(token)
            findings.append(Self.finding(file: file, line: line, rule: rule, secret: token, key: fingerprintKey))
        }
    }

    /// The line itself and up to `lines` lines before it in the same buffer.
    static func preceding(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, lines: Int) -> String {
        var start = range.lowerBound
        var remaining = lines
        while start > 0, remaining > 0 {
            start -= 1
            while start > 0, buffer[start - 1] != 10 { start -= 1 }
            remaining -= 1
        }
        return String(decoding: buffer[start..<range.upperBound], as: UTF8.self)
    }

    static func finding(file: String, line: Int, rule: String, secret: String, key: [UInt8]? = nil) -> SecretFinding {
        let hex = Array("0123456789abcdef".utf8)
        var digest = ""
        let bytes: [UInt8] =
            if let key {
                Array(HMAC<SHA256>.authenticationCode(for: Data(secret.utf8), using: SymmetricKey(data: key)))
            } else {
                Array(SHA256.hash(data: Data(secret.utf8)))
            }
        for byte in bytes.prefix(8) {
            digest.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
            digest.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 15)]))
        }
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

    /// Quoted strings this long or longer from a base64 or hex alphabet are judged by their entropy;
    /// unquoted ones only in comments, and from this length.
    static let shortestToken = 16
    static let shortestBareToken = 20

    /// Quoted strings of `shortestToken` or more characters from a base64 or hex alphabet.
    static func quotedTokens(_ text: String) -> [(String, Bool)] {
        var tokens: [(String, Bool)] = []
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
            if end < scalars.count, scalars[end] == quote, end - index - 1 >= shortestToken {
                tokens.append((String(decoding: scalars[(index + 1)..<end], as: UTF8.self), false))
            }
            index = end + (end < scalars.count && scalars[end] == quote ? 1 : 0)
            if index <= end { index = end + 1 }
        }
        return tokens
    }

    /// Where the comment of a line starts: after `#` or `//` at its start or after a space; after `*`,
    /// `;`, `--` or `/*` at its start.
    static func commentStart(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound, buffer[index] == 32 || buffer[index] == 9 { index += 1 }
        let first = index
        while index < range.upperBound {
            let byte = buffer[index]
            let next = index + 1 < range.upperBound ? buffer[index + 1] : 0
            let afterSpace = index == first || buffer[index - 1] == 32 || buffer[index - 1] == 9
            if afterSpace && byte == 35 || index == first && (byte == 42 || byte == 59) { return index + 1 }
            if afterSpace && byte == 47 && next == 47
                || index == first && (byte == 45 && next == 45 || byte == 47 && next == 42)
            {
                return index + 2
            }
            index += 1
        }
        return nil
    }

    /// Unquoted runs of token bytes of `shortestBareToken` or more, outside URLs (whose paths are such runs).
    static func bareTokens(_ text: Substring) -> [String] {
        var tokens: [String] = []
        for word in text.split(whereSeparator: \.isWhitespace) where !word.contains("://") && !word.hasPrefix("www.") {
            let bytes = Array(word.utf8)
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
                if end - start >= shortestBareToken {
                    tokens.append(String(decoding: bytes[start..<end], as: UTF8.self))
                }
                start = end + 1
            }
        }
        return tokens
    }

    @inline(__always) static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 43
            || byte == 47
            || byte == 61 || byte == 45 || byte == 95
    }

    /// detect-secrets' limits (Shannon entropy above 4.5 bits for base64, 3.0 for hex), with the known
    /// noise removed: alphabets and runs, numbers, base64 of plain text. Next to a keyword (`signing_key =`)
    /// a short base64 string needs less: a random string of n characters cannot reach 4.5 bits below 23.
    /// In a comment a string needs a keyword (hex) or all three character classes (base64), which a
    /// path or a commit hash does not have.
    static func highEntropyRule(_ token: String, keywordNear: Bool = false, inComment: Bool = false) -> String? {
        let bytes = Array(token.utf8)
        guard bytes.count >= (inComment ? shortestBareToken : keywordNear ? shortestToken : 20) else { return nil }
        guard !SecretNoise.isSequence(bytes), !SecretNoise.isSlug(token) else { return nil }
        let isHex = bytes.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }
        let value = shannon(bytes)
        if isHex {
            guard !SecretNoise.isNumber(bytes), !inComment || keywordNear else { return nil }
            return value > 3.0 ? "high-entropy-hex" : nil
        }
        let hasDigit = bytes.contains(where: SecretNoise.isDigit)
        let hasUpper = bytes.contains(where: { $0 >= 65 && $0 <= 90 })
        let hasLower = bytes.contains(where: { $0 >= 97 && $0 <= 122 })
        if inComment, !(hasDigit && hasUpper && hasLower) { return nil }
        if value > 4.5 {
            return keywordNear || !SecretNoise.decodesToText(token) ? "high-entropy-base64" : nil
        }
        guard keywordNear, hasDigit, hasUpper || hasLower else { return nil }
        return value > 0.85 * log2(Double(bytes.count)) ? "high-entropy-base64" : nil
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
