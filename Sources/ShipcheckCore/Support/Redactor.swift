import Foundation

/// Credentials recognised by their shape (a GitHub token, an AWS key, a private key block), whatever
/// variable they came from: the secret scanner's rules, applied to everything a check captured.
public protocol SecretPatterns: Sendable {
    /// `text` with every credential replaced by `Redactor.marker(rule:masked:)`.
    func mask(_ text: String) -> String
}

/// Replaces secret values with `***` wherever text leaves a check: evidence, facts, messages.
public struct Redactor: Sendable {
    public static let mask = "***"
    /// Shorter values would mask ordinary words and digits everywhere.
    static let minimumLength = 4
    static let secretNameMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "PRIVATE"]

    /// Longest first, so that a secret containing another is masked whole.
    public let secrets: [String]

    public init(secrets: some Sequence<String>) {
        secretSet = Set(secrets.filter { $0.count >= Redactor.minimumLength })
        self.secrets = secretSet.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    private let secretSet: Set<String>
    /// Credentials by shape, beside the values known by name.
    public var patterns: (any SecretPatterns)? = nil

    /// What stands in for a credential found by its shape: its rule and a prefix short enough to
    /// say what it was (`[masked github-token ghp_…(40 chars)]`).
    public static func marker(rule: String, masked: String) -> String { "[masked \(rule) \(masked)]" }

    /// The credentials masked by shape in `text`, as `rule prefix…(n chars)`, each once.
    public static func maskedFindings(in text: String) -> [String] {
        let opening = Array("[masked ".utf8)
        var text = text
        return text.withUTF8 { bytes in
            var found: [String] = []
            // By a hash of the bytes first: output full of one credential holds its marker thousands
            // of times, and hashing Strings (normalised) showed in the masking benchmark.
            var seen: [UInt64: [Int]] = [:]
            var index = 0
            while index + opening.count <= bytes.count {
                guard bytes[index] == opening[0], bytes[index..<(index + opening.count)].elementsEqual(opening) else {
                    index += 1
                    continue
                }
                let body = index + opening.count
                guard let end = bytes[body...].firstIndex(of: 93) else { break }
                let marker = UnsafeBufferPointer(rebasing: bytes[body..<end])
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in marker { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                let known = seen[hash, default: []].contains { found[$0].utf8.elementsEqual(marker) }
                if !known {
                    seen[hash, default: []].append(found.count)
                    found.append(String(decoding: marker, as: UTF8.self))
                }
                index = end + 1
            }
            return found
        }
    }

    /// Secrets found in an environment: values of variables whose names look secret, passwords
    /// inside URLs (`postgres://user:PASSWORD@host`), and the variables named in `extraNames`.
    public init(environment: [String: String], extraNames: [String] = [], extraValues: [String] = []) {
        var values = extraValues
        for (name, value) in environment {
            let upper = name.uppercased()
            if extraNames.contains(name) || Redactor.secretNameMarkers.contains(where: { upper.contains($0) }) {
                values.append(value)
            }
            if let password = Redactor.urlPassword(in: value) { values.append(password) }
        }
        self.init(secrets: values)
    }

    public static func urlPassword(in value: String) -> String? {
        guard let scheme = value.range(of: "://"), let at = value[scheme.upperBound...].firstIndex(of: "@") else {
            return nil
        }
        let userInfo = value[scheme.upperBound..<at]
        guard !userInfo.contains("/"), let colon = userInfo.firstIndex(of: ":") else { return nil }
        let password = String(userInfo[userInfo.index(after: colon)...])
        return password.isEmpty ? nil : (password.removingPercentEncoding ?? password)
    }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.containsBytes(secret) {
            result = result.replacingOccurrences(of: secret, with: Redactor.mask)
        }
        result = Redactor.maskURLPasswords(result)
        return patterns?.mask(result) ?? result
    }

    static let urlPassword = NSRegularExpression.builtIn(#"([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"]*):([^\s/@'"]+)@"#)

    /// `postgres://app:hunter2@db` → `postgres://app:***@db`, wherever a URL carries a password,
    /// whether or not that password came from the environment.
    public static func maskURLPasswords(_ text: String) -> String {
        guard text.containsBytes("://"), text.containsBytes("@") else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return urlPassword.stringByReplacingMatches(in: text, range: range, withTemplate: "$1:\(mask)@")
    }

    public func redact(_ value: Value) -> Value {
        switch value {
        case .string(let string): .string(redact(string))
        case .list(let values): .list(values.map(redact))
        default: value
        }
    }

    public func redact(_ facts: Facts) -> Facts {
        facts.mapValues(redact)
    }
}
