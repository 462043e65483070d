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

/// A credential found in a buffer: where its secret is, and which rule found it.
struct SecretSpan {
    var range: Range<Int>
    var rule: String
}

/// Scans text for credentials. A single pass over the bytes finds candidate lines (a rule's literal
/// keyword, or a quote for the entropy test); only those lines meet the rules' matchers.
public struct SecretScanner: Sendable {
    /// How a rule is matched on a candidate line: the common shapes by hand on the bytes (the
    /// regular expressions cost far more per line), the rest by their regular expression.
    enum Matcher: Sendable {
        case token(TokenShape)
        case assignment
        case regex
    }

    public let rules: [SecretRule]
    public let entropy: Bool
    /// The key of the keyed fingerprints; nil gives plain SHA-256 fingerprints.
    public let fingerprintKey: [UInt8]?
    let keyedHMAC: KeyedHMAC?
    static let allowMarkers = ["pragma: allowlist secret", "shipcheck:allow-secret"]
    static let maximumLineLength = 16_384

    /// The prefilter's tables, flat so that the hot loop does no reference counting: the keywords
    /// starting with the (lower-cased) byte pair `a, b` are entries `pairEntries[a << 8 | b]..<pairEntries[(a << 8 | b) + 1]`.
    private let pairEntries: [Int32]
    /// One bit per hash of a keyword's first three (lower-cased) bytes: 8 KiB, in the L1 cache. Three
    /// bytes, not two, because pairs such as `se`, `to` or `an` start a keyword and half the words of
    /// a source file.
    private let tripleBits: [UInt64]
    /// Per byte, its lower case `<< 8`, its class (`byteClasses`) below: one load a byte.
    private static let foldedClasses: [UInt16] = (0..<256).map { byte in
        UInt16(lower(UInt8(byte))) << 8 | UInt16(byteClasses[byte])
    }
    private let entryRule: [UInt8]
    private let entryCaseSensitive: [Bool]
    private let entryStart: [Int32]
    private let entryLength: [Int32]
    private let keywordBytes: [UInt8]
    /// Per byte: 1 for base64/hex token bytes, 2 for quotes.
    private static let byteClasses: [UInt8] = (0..<256).map { byte in
        (isTokenByte(UInt8(byte)) ? 1 : 0) | (byte == 34 || byte == 39 ? 2 : 0)
    }
    let matchers: [Matcher]

    public init(rules: [SecretRule] = SecretRules.all, entropy: Bool = true, fingerprintKey: [UInt8]? = nil) {
        self.rules = rules
        self.entropy = entropy
        self.fingerprintKey = fingerprintKey
        self.keyedHMAC = fingerprintKey.map(KeyedHMAC.init)
        var byPair = [[(rule: Int, bytes: [UInt8], caseSensitive: Bool)]](repeating: [], count: 65_536)
        var triples = [UInt64](repeating: 0, count: 1024)
        for (index, rule) in rules.enumerated() {
            for keyword in rule.keywords {
                let bytes = Array((rule.caseSensitive ? keyword : keyword.lowercased()).utf8)
                precondition(bytes.count >= 3, "secret keywords have at least three bytes")
                let (a, b, c) = (Int(Self.lower(bytes[0])), Int(Self.lower(bytes[1])), Int(Self.lower(bytes[2])))
                byPair[a << 8 | b].append((index, bytes, rule.caseSensitive))
                let hash = Self.tripleHash(a, b, c)
                triples[hash >> 6] |= 1 << UInt64(hash & 63)
            }
        }
        tripleBits = triples
        matchers = rules.map { rule in
            if let shape = TokenShape.byRule[rule.id] { return .token(shape) }
            return rule.id == "password-assignment" ? .assignment : .regex
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
        entryRule = ruleIDs
        entryCaseSensitive = cases
        entryStart = starts
        entryLength = lengths
        keywordBytes = bytes
    }

    /// 16 bits from three bytes (Fibonacci hashing).
    @inline(__always) static func tripleHash(_ a: Int, _ b: Int, _ c: Int) -> Int {
        Int((UInt32(truncatingIfNeeded: a &<< 16 | b &<< 8 | c) &* 2_654_435_761) &>> 16)
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
        let tripleBits: UnsafeBufferPointer<UInt64>
        let foldedClasses: UnsafeBufferPointer<UInt16>
        let rule: UnsafeBufferPointer<UInt8>
        let caseSensitive: UnsafeBufferPointer<Bool>
        let start: UnsafeBufferPointer<Int32>
        let length: UnsafeBufferPointer<Int32>
        let keywords: UnsafeBufferPointer<UInt8>
    }

    func withTables<R>(_ body: (Tables) -> R) -> R {
        pairEntries.withUnsafeBufferPointer { pairs in
            tripleBits.withUnsafeBufferPointer { tripleBits in
                Self.foldedClasses.withUnsafeBufferPointer { foldedClasses in
                    entryRule.withUnsafeBufferPointer { rule in
                        entryCaseSensitive.withUnsafeBufferPointer { caseSensitive in
                            entryStart.withUnsafeBufferPointer { start in
                                entryLength.withUnsafeBufferPointer { length in
                                    keywordBytes.withUnsafeBufferPointer { keywords in
                                        body(
                                            Tables(
                                                pairs: pairs, tripleBits: tripleBits,
                                                foldedClasses: foldedClasses, rule: rule,
                                                caseSensitive: caseSensitive, start: start, length: length,
                                                keywords: keywords))
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
        // Raw pointers and wrapping arithmetic keep the loops in registers.
        guard let bytes = buffer.baseAddress, let table = t.foldedClasses.baseAddress,
            let bits = t.tripleBits.baseAddress
        else { return (0, false, false) }
        let upper = range.upperBound
        // Two passes over the line (it is in the L1 cache), each with few enough values to stay in
        // registers. First the keywords: the entries of the bytes at index, index + 1 and (loaded
        // each round) index + 2.
        var index = range.lowerBound
        var a = Int(table[Int(bytes[index])]) &>> 8
        var b = index &+ 1 < upper ? Int(table[Int(bytes[index &+ 1])]) &>> 8 : 0
        while index < upper {
            let c = index &+ 2 < upper ? Int(table[Int(bytes[index &+ 2])]) &>> 8 : 0
            let hash = Self.tripleHash(a, b, c)
            if bits[hash &>> 6] & (1 &<< UInt64(hash & 63)) != 0 {
                candidates |= keywordsAt(index, pair: a &<< 8 | b, buffer, upper, t, found: candidates)
            }
            a = b
            b = c
            index &+= 1
        }
        // Then runs of token bytes, found by probing every `shortestToken`-th byte: every run that
        // long holds a probe, and the bytes around a probe that lands in a run are read once. Only
        // the entropy test reads them (the output masker runs without it, on every captured line).
        guard entropy else { return (candidates, false, false) }
        var quotedToken = false
        var bareToken = false
        var probe = range.lowerBound &+ Self.shortestToken &- 1
        while probe < upper {
            guard table[Int(bytes[probe])] & 1 != 0 else {
                probe &+= Self.shortestToken
                continue
            }
            var start = probe
            while start > range.lowerBound, table[Int(bytes[start &- 1])] & 1 != 0 { start &-= 1 }
            var end = probe &+ 1
            while end < upper, table[Int(bytes[end])] & 1 != 0 { end &+= 1 }
            let length = end &- start
            if length >= Self.shortestBareToken { bareToken = true }
            if length >= Self.shortestToken, start > range.lowerBound, end < upper,
                table[Int(bytes[start &- 1])] & 2 != 0, table[Int(bytes[end])] & 2 != 0
            {
                quotedToken = true
            }
            probe = end &+ Self.shortestToken
        }
        return (candidates, quotedToken, bareToken)
    }

    /// The rules whose keywords start at `index` (whose first two bytes are `pair`), among those not
    /// `found` yet. Out of line: one byte in 200 gets here, and inlined it would crowd the loop's registers.
    @inline(never)
    func keywordsAt(
        _ index: Int, pair: Int, _ buffer: UnsafeBufferPointer<UInt8>, _ upper: Int, _ t: Tables, found: UInt64
    ) -> UInt64 {
        var candidates: UInt64 = 0
        var entry = Int(t.pairs[pair])
        let last = Int(t.pairs[pair + 1])
        while entry < last {
            let rule = t.rule[entry]
            let length = Int(t.length[entry])
            if (found | candidates) & (1 << rule) == 0, index + length <= upper {
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
        return candidates
    }

    /// The credentials on one line for the rules in `candidates` (whose keywords the line holds).
    func find(
        _ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, candidates: UInt64, into spans: inout [SecretSpan]
    ) {
        var text: String?
        for (index, rule) in rules.enumerated() where candidates & (1 << UInt64(index)) != 0 {
            switch matchers[index] {
            case .token(let shape):
                shape.find(buffer, line, into: &spans)
            case .assignment:
                PasswordAssignment.find(buffer, line, rule: rule.id, into: &spans)
            case .regex:
                let string = text ?? String(decoding: buffer[line], as: UTF8.self)
                text = string
                for match in rule.regex.matches(in: string, range: NSRange(string.startIndex..., in: string)) {
                    let ranges = (0..<match.numberOfRanges).map { Range(match.range(at: $0), in: string) }
                    guard let secretRange = ranges[min(rule.secretGroup, ranges.count - 1)], !secretRange.isEmpty
                    else { continue }
                    if rule.rejectsPlaceholders, SecretRules.isPlaceholder(String(string[secretRange])) { continue }
                    if let isNoise = rule.isNoise, isNoise(ranges.map { $0.map { String(string[$0]) } ?? "" }) {
                        continue
                    }
                    let lower =
                        line.lowerBound + string.utf8.distance(from: string.startIndex, to: secretRange.lowerBound)
                    let length = string[secretRange].utf8.count
                    spans.append(SecretSpan(range: lower..<(lower + length), rule: rule.id))
                }
            }
        }
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
        var seen: Set<String> = []
        if candidates != 0 {
            var spans: [SecretSpan] = []
            find(buffer, range, candidates: candidates, into: &spans)
            for span in spans {
                let secret = String(decoding: buffer[span.range], as: UTF8.self)
                guard seen.insert(secret).inserted else { continue }
                findings.append(
                    Self.finding(file: file, line: line, rule: span.rule, secret: secret, keyed: keyedHMAC))
            }
        }
        guard entropy, quotedToken || comment != nil else { return }
        var tokens = quotedToken ? Self.quotedTokens(buffer, range) : []
        if let comment {
            tokens += Self.bareTokens(buffer, comment..<range.upperBound).map { ($0, true) }
        }
        guard !tokens.isEmpty else { return }
        let keywordNear = Self.containsFolded(buffer, range, SecretNoise.secretWordBytes)
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
            findings.append(Self.finding(file: file, line: line, rule: rule, secret: token, keyed: keyedHMAC))
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
        finding(file: file, line: line, rule: rule, secret: secret, keyed: key.map(KeyedHMAC.init))
    }

    /// An HMAC already keyed: copied for each finding rather than keyed again (a tenth of a scan
    /// with many findings went into keying). A value with no shared state, so safe to send.
    struct KeyedHMAC: @unchecked Sendable {
        let initial: HMAC<SHA256>

        init(_ key: [UInt8]) { initial = HMAC<SHA256>(key: SymmetricKey(data: key)) }

        func code(_ secret: String) -> [UInt8] {
            var hmac = initial
            hmac.update(data: Array(secret.utf8))
            return Array(hmac.finalize())
        }
    }

    static func finding(file: String, line: Int, rule: String, secret: String, keyed: KeyedHMAC?) -> SecretFinding {
        let hex = Array("0123456789abcdef".utf8)
        var digest = ""
        let bytes = keyed?.code(secret) ?? Array(SHA256.hash(data: Array(secret.utf8)))
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

    /// Whether the line holds one of `words` (lower-case ASCII), in any case.
    static func containsFolded(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ words: [[UInt8]]) -> Bool {
        for word in words where word.count <= range.count {
            var index = range.lowerBound
            let last = range.upperBound - word.count
            while index <= last {
                if lower(buffer[index]) == word[0] {
                    var offset = 1
                    while offset < word.count, lower(buffer[index + offset]) == word[offset] { offset += 1 }
                    if offset == word.count { return true }
                }
                index += 1
            }
        }
        return false
    }

    /// Quoted strings of `shortestToken` or more characters from a base64 or hex alphabet.
    static func quotedTokens(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [(String, Bool)] {
        var tokens: [(String, Bool)] = []
        let scalars = buffer[range]
        var index = range.lowerBound
        while index < range.upperBound {
            let quote = scalars[index]
            guard quote == 34 || quote == 39 else {
                index += 1
                continue
            }
            var end = index + 1
            while end < range.upperBound, scalars[end] != quote, isTokenByte(scalars[end]) { end += 1 }
            if end < range.upperBound, scalars[end] == quote, end - index - 1 >= shortestToken {
                tokens.append((String(decoding: scalars[(index + 1)..<end], as: UTF8.self), false))
            }
            index = end + (end < range.upperBound && scalars[end] == quote ? 1 : 0)
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

    /// Unquoted runs of token bytes of `shortestBareToken` or more, outside URLs (whose paths are such
    /// runs): words split at ASCII white space.
    static func bareTokens(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [String] {
        var tokens: [String] = []
        var wordStart = range.lowerBound
        while wordStart < range.upperBound {
            var wordEnd = wordStart
            while wordEnd < range.upperBound, !PasswordAssignment.isSpace(buffer[wordEnd]) { wordEnd += 1 }
            let word = buffer[wordStart..<wordEnd]
            if !word.isEmpty, !isURL(word) {
                var start = wordStart
                while start < wordEnd {
                    var end = start
                    while end < wordEnd, isTokenByte(buffer[end]) { end += 1 }
                    if end - start >= shortestBareToken {
                        tokens.append(String(decoding: buffer[start..<end], as: UTF8.self))
                    }
                    start = end + 1
                }
            }
            wordStart = wordEnd + 1
        }
        return tokens
    }

    /// A word holding `://` or starting with `www.`.
    static func isURL(_ word: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        if word.starts(with: "www.".utf8) { return true }
        var index = word.startIndex
        while index + 2 < word.endIndex {
            if word[index] == 58, word[index + 1] == 47, word[index + 2] == 47 { return true }
            index += 1
        }
        return false
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
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256) { counts in
            counts.initialize(repeating: 0)
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
}
