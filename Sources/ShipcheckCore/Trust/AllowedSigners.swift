public import Foundation

/// Who may sign what, in git's and OpenSSH's `allowed_signers` format (ssh-keygen(1), "ALLOWED
/// SIGNERS"): `principals [options] keytype base64-key [comment]`, one key per line, with the
/// options `namespaces="…"`, `valid-after="YYYYMMDD[HHMM[SS]][Z]"` and `valid-before="…"`.
/// `cert-authority` lines are refused when read: certificates are not verified here.
public struct AllowedSigners: Sendable {
    public struct Entry: Sendable, Hashable {
        public var principals: [String]
        public var keyType: String
        public var publicKey: [UInt8]
        public var namespaces: [String]?
        public var validAfter: Date?
        public var validBefore: Date?
        /// Where it was read, for messages: `allowed_signers:3`.
        public var source: String
    }

    public let entries: [Entry]
    public let path: String
    /// The entries by public key: a read of a thousand decisions looks each key up once.
    let byKey: [[UInt8]: [Entry]]

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(path):\(line):\(column): \(message)" }
    }

    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ParseError(
                path: url.path, line: 0, column: 0, message: "cannot be read: \(error.localizedDescription)")
        }
        try self.init(text: text, path: url.path)
    }

    public init(text: String, path: String) throws(ParseError) {
        self.path = path
        var entries: [Entry] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingScalars { $0 == " " || $0 == "\t" || $0 == "\r" }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            entries.append(try Self.entry(line, number: index + 1, path: path))
        }
        self.entries = entries
        self.byKey = Dictionary(grouping: entries, by: \.publicKey)
    }

    static let keyTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    static func entry(_ line: String, number: Int, path: String) throws(ParseError) -> Entry {
        var fields = tokens(line)
        func fail(_ message: String, at column: Int = 1) -> ParseError {
            ParseError(path: path, line: number, column: column, message: message)
        }
        guard fields.count >= 3 else {
            throw fail("expected `principals [options] keytype base64-key`, found \(fields.count) field(s)")
        }
        let principals = fields.removeFirst().text.trimmingScalars { $0 == "\"" }
            .split(separator: ",").map(String.init)
        var options: [String: String] = [:]
        if !keyTypes.contains(fields[0].text) {
            let field = fields.removeFirst()
            for option in splitOptions(field.text) {
                let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
                let name = parts[0].lowercased()
                let value = parts.count > 1 ? parts[1].trimmingScalars { $0 == "\"" } : ""
                switch name {
                case "namespaces", "valid-after", "valid-before": options[name] = value
                case "cert-authority":
                    throw fail("`cert-authority` lines are not supported: list each signer's own key", at: field.column)
                default:
                    throw fail(
                        "unknown option `\(name)`; expected namespaces, valid-after or valid-before", at: field.column)
                }
            }
        }
        guard fields.count >= 2 else { throw fail("expected a key type and a base64 key after the principals") }
        let type = fields[0]
        guard keyTypes.contains(type.text) else {
            throw fail(
                "`\(type.text)` is not a key type; expected one of \(keyTypes.sorted().joined(separator: ", "))",
                at: type.column)
        }
        guard let blob = Data(base64Encoded: fields[1].text) else {
            throw fail("the key is not base64", at: fields[1].column)
        }
        var reader = SSHWireReader(Array(blob))
        guard reader.text() == type.text else {
            throw fail("the key's own type is not `\(type.text)`", at: fields[1].column)
        }
        var entry = Entry(
            principals: principals, keyType: type.text, publicKey: Array(blob),
            namespaces: options["namespaces"].map { $0.split(separator: ",").map(String.init) },
            source: "\(path.split(separator: "/").last.map(String.init) ?? path):\(number)")
        for (name, keyPath) in [("valid-after", \Entry.validAfter), ("valid-before", \Entry.validBefore)] {
            guard let text = options[name] else { continue }
            guard let date = time(text) else {
                throw fail("\(name)=\"\(text)\" is not a time; expected YYYYMMDD[HHMM[SS]][Z]")
            }
            entry[keyPath: keyPath] = date
        }
        return entry
    }

    /// Whitespace-separated fields; a double-quoted stretch keeps its spaces.
    static func tokens(_ line: String) -> [(text: String, column: Int)] {
        var result: [(String, Int)] = []
        var current = ""
        var start = 0
        var quoted = false
        // By scalars, not Characters: a key line is ASCII, and grapheme breaking showed at start-up.
        for (offset, character) in line.unicodeScalars.enumerated() {
            if character == "\"" { quoted.toggle() }
            if character.properties.isWhitespace, !quoted {
                if !current.isEmpty { result.append((current, start + 1)) }
                current = ""
            } else {
                if current.isEmpty { start = offset }
                current.unicodeScalars.append(character)
            }
        }
        if !current.isEmpty { result.append((current, start + 1)) }
        return result
    }

    /// Options split at commas outside quotes.
    static func splitOptions(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quoted = false
        for character in text.unicodeScalars {
            if character == "\"" { quoted.toggle() }
            if character == ",", !quoted {
                result.append(current)
                current = ""
            } else {
                current.unicodeScalars.append(character)
            }
        }
        result.append(current)
        return result.filter { !$0.isEmpty }
    }

    /// `YYYYMMDD[HHMM[SS]][Z]`: UTC with Z, else the local time zone (as ssh-keygen reads it).
    static func time(_ text: String) -> Date? {
        var digits = text
        var zone = TimeZone.current
        if digits.hasSuffix("Z") || digits.hasSuffix("z") {
            digits.removeLast()
            zone = TimeZone(secondsFromGMT: 0) ?? zone
        }
        guard [8, 12, 14].contains(digits.count), digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else {
            return nil
        }
        let numbers = Array(digits)
        func number(_ range: Range<Int>) -> Int? { range.upperBound <= numbers.count ? Int(String(numbers[range])) : 0 }
        var components = DateComponents()
        components.year = number(0..<4)
        components.month = number(4..<6)
        components.day = number(6..<8)
        components.hour = numbers.count >= 12 ? number(8..<10) : 0
        components.minute = numbers.count >= 12 ? number(10..<12) : 0
        components.second = numbers.count >= 14 ? number(12..<14) : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: components),
            calendar.dateComponents([.year, .month, .day], from: date).day == components.day
        else { return nil }
        return date
    }

    /// Whether `pattern` (with `*` and `?`) matches `name`, as OpenSSH's match_pattern does.
    static func matches(_ pattern: Substring, _ name: Substring) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        switch first {
        case "*":
            let rest = pattern.dropFirst()
            var candidate = name
            while true {
                if matches(rest, candidate) { return true }
                guard !candidate.isEmpty else { return false }
                candidate = candidate.dropFirst()
            }
        case "?": return !name.isEmpty && matches(pattern.dropFirst(), name.dropFirst())
        default:
            return name.first.map { $0.lowercased() == first.lowercased() } == true
                && matches(pattern.dropFirst(), name.dropFirst())
        }
    }

    /// A pattern list: any match allows, a matching `!pattern` denies.
    static func listMatches(_ patterns: [String], _ name: String) -> Bool {
        var allowed = false
        for pattern in patterns {
            if pattern.hasPrefix("!") {
                if matches(Substring(pattern.dropFirst()), Substring(name)) { return false }
            } else if matches(Substring(pattern), Substring(name)) {
                allowed = true
            }
        }
        return allowed
    }

    /// The entries listing `publicKey`.
    public func entries(for publicKey: [UInt8]) -> [Entry] { byKey[publicKey] ?? [] }

    /// The principals `publicKey` may sign as, for messages.
    public func principals(of publicKey: [UInt8]) -> [String] { entries(for: publicKey).flatMap(\.principals) }

    /// Why `publicKey` may not sign as `principal` under `namespace` for a decision made at `signedAt`
    /// and read at `now`; nil when it may. A key whose `valid-before` has passed signs nothing that
    /// still counts: the decision's time is the signer's word, the clock at reading is not.
    public func refusal(of publicKey: [UInt8], as principal: String, namespace: String, signedAt: Date, now: Date)
        -> String?
    {
        let fingerprint = SSHSignature.fingerprint(of: publicKey)
        let listed = entries(for: publicKey)
        guard !listed.isEmpty else { return "the key \(fingerprint) is not in \(path)" }
        let forPrincipal = listed.filter { Self.listMatches($0.principals, principal) }
        guard !forPrincipal.isEmpty else {
            let names = listed.flatMap(\.principals).joined(separator: ", ")
            return "the key \(fingerprint) is listed for \(names), not for \(principal) (\(listed[0].source))"
        }
        var reasons: [String] = []
        for entry in forPrincipal {
            if let namespaces = entry.namespaces, !Self.listMatches(namespaces, namespace) {
                reasons.append("\(entry.source) limits the key to the namespaces \(namespaces.joined(separator: ","))")
            } else if let after = entry.validAfter, signedAt < after {
                reasons.append("\(entry.source): the key is valid only after \(StoreTimeText.text(after))")
            } else if let before = entry.validBefore, now >= before || signedAt >= before {
                reasons.append("\(entry.source): the key expired at \(StoreTimeText.text(before))")
            } else {
                return nil
            }
        }
        return "the key \(fingerprint) may not sign as \(principal): " + reasons.joined(separator: "; ")
    }
}

/// Times in messages, as ISO 8601 in UTC.
enum StoreTimeText {
    static func text(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
