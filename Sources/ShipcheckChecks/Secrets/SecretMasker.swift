import Foundation
public import ShipcheckCore

/// Masks credentials by their shape in text a check captured (output, bodies, parsed documents)
/// before it is stored, reported or printed: the scanner's rules and its keyword prefilter, without
/// its entropy guesses (a commit hash in a log is not a secret) and without its allow markers (a
/// command's output cannot vouch for itself). A private key is masked whole, from its BEGIN line to
/// its END line. URL passwords are the `Redactor`'s, masked before this runs.
///
/// Every captured byte passes through here, so the common shapes are matched by hand on the bytes
/// of the lines the prefilter picks (a fixed prefix and a run of token characters, an assignment of a
/// quoted value): the regular expressions the scanner uses cost far more per line.
public struct SecretMasker: SecretPatterns {
    let scanner: SecretScanner
    /// The rules read line by line: private keys are masked whole before, URL passwords by the Redactor.
    let lineRules: UInt64

    public init() {
        scanner = SecretScanner(rules: SecretRules.all, entropy: false)
        var lineRules: UInt64 = 0
        for (index, rule) in scanner.rules.enumerated() where rule.id != "private-key" && rule.id != "url-password" {
            lineRules |= 1 << UInt64(index)
        }
        self.lineRules = lineRules
    }

    static let privateKeyBlock = NSRegularExpression.builtIn(
        #"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)"#
    )

    public func mask(_ text: String) -> String {
        var text = text
        if text.containsBytes("-----BEGIN ") { text = Self.maskPrivateKeys(text) }
        let bytes = Array(text.utf8)
        var spans: [SecretSpan] = []
        scanner.withTables { tables in
            bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                while start < buffer.count {
                    let end = SecretScanner.lineEnd(buffer, from: start)
                    if end > start {
                        let candidates = scanner.prefilter(buffer, start..<end, tables).candidates & lineRules
                        if candidates != 0 { scanner.find(buffer, start..<end, candidates: candidates, into: &spans) }
                    }
                    start = end + 1
                }
            }
        }
        guard !spans.isEmpty else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + spans.count * 32)
        var copied = 0
        // By position; at one position the rule found first (a token's own shape before an assignment's).
        let ordered = spans.enumerated().sorted {
            ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset)
        }.map(\.element)
        for span in ordered where span.range.lowerBound >= copied {
            output += bytes[copied..<span.range.lowerBound]
            Self.appendMarker(rule: span.rule, secret: bytes[span.range], to: &output)
            copied = span.range.upperBound
        }
        output += bytes[copied...]
        return String(decoding: output, as: UTF8.self)
    }

    /// `Redactor.marker(rule:masked:)` of `SecretScanner.mask(secret)`, written as bytes: an ASCII
    /// secret (every token shape) needs no String of its own.
    static func appendMarker(rule: String, secret: ArraySlice<UInt8>, to output: inout [UInt8]) {
        guard secret.allSatisfy({ $0 < 0x80 }) else {
            let text = String(decoding: secret, as: UTF8.self)
            output += Array(Redactor.marker(rule: rule, masked: SecretScanner.mask(text)).utf8)
            return
        }
        output.append(contentsOf: "[masked ".utf8)
        output.append(contentsOf: rule.utf8)
        output.append(32)
        if secret.count >= 12 {
            output += secret.prefix(secret.first == 45 ? 15 : 4)
            output.append(contentsOf: "…(".utf8)
        } else {
            output.append(contentsOf: "***(".utf8)
        }
        output.append(contentsOf: String(secret.count).utf8)
        output.append(contentsOf: " chars)]".utf8)
    }

    static func maskPrivateKeys(_ text: String) -> String {
        let masked = NSMutableString(string: text)
        let matches = privateKeyBlock.matches(in: text, range: NSRange(location: 0, length: masked.length))
        for match in matches.reversed() {
            let kind = (Range(match.range(at: 1), in: text).map { String(text[$0]) } ?? "")
                .replacingOccurrences(of: " ", with: "-")
            masked.replaceCharacters(
                in: match.range,
                with: Redactor.marker(rule: "private-key", masked: "\(kind)PRIVATE-KEY…(\(match.range.length) chars)"))
        }
        return masked as String
    }
}

/// A credential that is a fixed prefix and a run of token characters (the scanner's patterns for
/// these rules, matched by hand).
struct TokenShape: Sendable {
    enum Body: Sendable {
        /// [A-Za-z0-9]
        case alphanumeric
        /// [A-Za-z0-9_]
        case word
        /// [A-Za-z0-9_-]
        case wordOrDash
        /// [A-Za-z0-9-]
        case alphanumericOrDash
        /// [A-Z0-9]
        case upperOrDigit

        func allows(_ byte: UInt8) -> Bool {
            let alphanumeric = (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
            switch self {
            case .alphanumeric: return alphanumeric
            case .word: return alphanumeric || byte == 95
            case .wordOrDash: return alphanumeric || byte == 95 || byte == 45
            case .alphanumericOrDash: return alphanumeric || byte == 45
            case .upperOrDigit: return (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90)
            }
        }
    }

    /// Each prefix with its body, shortest and longest run.
    var forms: [(prefix: [UInt8], body: Body, minimum: Int, maximum: Int)]
    var rule: String
    /// `\b` before the prefix; otherwise `(?<![A-Za-z0-9_-])`.
    var wordBoundary = true
    /// `\b` after the run (the AWS key id's exact 16 characters).
    var boundaryAfter = false
    /// The forms by the first byte of their prefix, so that a line is read once per shape.
    let starts: [[Int]]

    init(
        forms: [(prefix: [UInt8], body: Body, minimum: Int, maximum: Int)], rule: String, wordBoundary: Bool = true,
        boundaryAfter: Bool = false
    ) {
        self.forms = forms
        self.rule = rule
        self.wordBoundary = wordBoundary
        self.boundaryAfter = boundaryAfter
        var starts = [[Int]](repeating: [], count: 256)
        for (index, form) in forms.enumerated() { starts[Int(form.prefix[0])].append(index) }
        self.starts = starts
    }

    static func form(_ prefixes: [String], _ body: Body, _ minimum: Int, _ maximum: Int = 4096)
        -> [([UInt8], Body, Int, Int)]
    {
        prefixes.map { (Array($0.utf8), body, minimum, maximum) }
    }

    static let byRule: [String: TokenShape] = [
        "aws-access-key-id": TokenShape(
            forms: form(["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA"], .upperOrDigit, 16, 16),
            rule: "aws-access-key-id", boundaryAfter: true),
        "github-token": TokenShape(
            forms: form(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], .alphanumeric, 36, 255)
                + form(["github_pat_"], .word, 22, 255), rule: "github-token"),
        "gitlab-token": TokenShape(forms: form(["glpat-", "gldt-", "glrt-"], .wordOrDash, 20), rule: "gitlab-token"),
        "slack-token": TokenShape(
            forms: form(["xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"], .alphanumericOrDash, 10),
            rule: "slack-token"),
        "stripe-key": TokenShape(
            forms: form(["sk_live_", "rk_live_", "sk_test_", "rk_test_"], .alphanumeric, 16), rule: "stripe-key"),
        "openai-key": TokenShape(forms: form(["sk-"], .wordOrDash, 32), rule: "openai-key", wordBoundary: false),
        "google-api-key": TokenShape(forms: form(["AIza"], .wordOrDash, 35, 35), rule: "google-api-key"),
        "jwt": TokenShape(forms: form(["eyJ"], .wordOrDash, 10), rule: "jwt"),
    ]

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
    }

    func find(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, into spans: inout [SecretSpan]) {
        var index = line.lowerBound
        scanning: while index < line.upperBound {
            let candidates = starts[Int(buffer[index])]
            guard !candidates.isEmpty else {
                index += 1
                continue
            }
            for form in candidates {
                if let end = match(forms[form], buffer, line, at: index) {
                    spans.append(SecretSpan(range: index..<end, rule: rule))
                    index = end
                    continue scanning
                }
            }
            index += 1
        }
    }

    /// Where the form's credential starting at `index` ends, when one does.
    func match(
        _ form: (prefix: [UInt8], body: Body, minimum: Int, maximum: Int), _ buffer: UnsafeBufferPointer<UInt8>,
        _ line: Range<Int>, at index: Int
    ) -> Int? {
        guard index + form.prefix.count <= line.upperBound, Self.starts(buffer, at: index, with: form.prefix) else {
            return nil
        }
        if index > line.lowerBound {
            let before = buffer[index - 1]
            if Self.isWordByte(before) || !wordBoundary && before == 45 { return nil }
        }
        let bodyStart = index + form.prefix.count
        var end = bodyStart
        while end < line.upperBound, end - bodyStart < form.maximum, form.body.allows(buffer[end]) { end += 1 }
        guard end - bodyStart >= form.minimum else { return nil }
        if boundaryAfter, end < line.upperBound, Self.isWordByte(buffer[end]) { return nil }
        return rule == "jwt" ? Self.jwtEnd(buffer, line, from: end) : end
    }

    static func starts(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int, with prefix: [UInt8]) -> Bool {
        for offset in 1..<prefix.count where buffer[index + offset] != prefix[offset] { return false }
        return true
    }

    /// A JWT's header ran to `from`; its payload (`.eyJ…`) and signature (`.…`) follow, ten or more each.
    static func jwtEnd(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, from: Int) -> Int? {
        func segment(_ start: Int, prefix: [UInt8]) -> Int? {
            guard start + prefix.count <= line.upperBound else { return nil }
            for (offset, byte) in prefix.enumerated() where buffer[start + offset] != byte { return nil }
            var end = start + prefix.count
            while end < line.upperBound, TokenShape.Body.wordOrDash.allows(buffer[end]) { end += 1 }
            return end - start - prefix.count >= 10 ? end : nil
        }
        guard let payload = segment(from, prefix: Array(".eyJ".utf8)) else { return nil }
        return segment(payload, prefix: [46])
    }
}

/// `password = "…"`, `API_KEY: str = '…'`, `"token": "…"`: a name holding a secret keyword, an
/// assignment and a quoted value of 6 to 200 characters (the scanner's pattern, matched by hand).
/// Unquoted values (`SECRET_KEY=…` in an env file, `api_token: …` in YAML) count when they look
/// random: quoted ones are deliberate strings, unquoted ones are as often a name or an expression.
enum PasswordAssignment {
    static let keywords = [
        "password", "passwd", "pwd", "secret", "apikey", "api_key", "api-key", "accesskey", "access_key",
        "access-key", "token", "privatekey", "private_key", "private-key", "authkey", "auth_key", "auth-key",
        "credential",
    ].map { Array($0.utf8) }

    static func isNameByte(_ byte: UInt8) -> Bool { TokenShape.Body.wordOrDash.allows(byte) }
    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 || byte == 11 || byte == 12 }
    static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte | 0x20 : byte }

    static func find(
        _ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, rule: String, into spans: inout [SecretSpan]
    ) {
        var index = line.lowerBound
        while index < line.upperBound {
            guard isNameByte(buffer[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < line.upperBound, isNameByte(buffer[end]) { end += 1 }
            let name = index..<end
            index = end
            // The assignment first: most names are not followed by one, and that is cheap to see.
            let quoted = quotedValue(buffer, line, after: name.upperBound)
            guard let value = quoted ?? unquotedValue(buffer, line, after: name.upperBound),
                holdsKeyword(buffer, name)
            else { continue }
            if quoted == nil, !SecretNoise.looksRandom(buffer[value]) { continue }
            let secret = String(decoding: buffer[value], as: UTF8.self)
            let identifier = String(decoding: buffer[name], as: UTF8.self)
            if SecretRules.isPlaceholder(secret) || SecretRules.namesAnAttributeOfASecret(identifier, value: secret) {
                continue
            }
            spans.append(SecretSpan(range: value, rule: rule))
            index = value.upperBound
        }
    }

    static func holdsKeyword(_ buffer: UnsafeBufferPointer<UInt8>, _ name: Range<Int>) -> Bool {
        for start in name {
            let first = lower(buffer[start])
            guard first == 112 || first == 115 || first == 97 || first == 116 || first == 99 else { continue }
            for keyword in keywords where keyword[0] == first && start + keyword.count <= name.upperBound {
                var offset = 1
                while offset < keyword.count, lower(buffer[start + offset]) == keyword[offset] { offset += 1 }
                if offset == keyword.count { return true }
            }
        }
        return false
    }

    /// After a name: an optional closing quote, an optional type (`: str`, ` string`), an assignment
    /// (`=`, `:`, `=>`, `:=`) and a quoted value; the value's bytes.
    static func quotedValue(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, after start: Int) -> Range<Int>? {
        var position = start
        if position < line.upperBound, buffer[position] == 34 || buffer[position] == 39 { position += 1 }
        // What may follow a name that is assigned: `:` or `=`, after spaces, or a type word (`str`).
        var next = position
        while next < line.upperBound, isSpace(buffer[next]) { next += 1 }
        guard next < line.upperBound else { return nil }
        let byte = buffer[next]
        guard byte == 58 || byte == 61 || (next > position && lower(byte) == 115) else { return nil }
        for typed in typeAnnotations(buffer, line, from: position) + [position] {
            if let value = assignedValue(buffer, line, from: typed) { return value }
        }
        return nil
    }

    /// `=` or `:` (not `==`), spaces, and 8 to 200 bytes of a password's alphabet ending the line or
    /// before a space, a quote or a separator (`,` `;` `&` `#`): `SECRET_KEY=…`, `api_token: …`.
    static func unquotedValue(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, after start: Int)
        -> Range<Int>?
    {
        var position = start
        if position < line.upperBound, buffer[position] == 34 || buffer[position] == 39 { position += 1 }
        while position < line.upperBound, isSpace(buffer[position]) { position += 1 }
        guard position < line.upperBound, buffer[position] == 58 || buffer[position] == 61 else { return nil }
        position += 1
        guard position < line.upperBound, buffer[position] != 61 else { return nil }
        while position < line.upperBound, isSpace(buffer[position]) { position += 1 }
        var end = position
        while end < line.upperBound, isUnquotedValueByte(buffer[end]) { end += 1 }
        guard (8...200).contains(end - position) else { return nil }
        if end < line.upperBound {
            let next = buffer[end]
            guard isSpace(next) || next == 34 || next == 39 || next == 44 || next == 59 || next == 38 || next == 35
            else { return nil }
        }
        return position..<end
    }

    /// Letters, digits and `+/=_.~!%*-`.
    static func isUnquotedValueByte(_ byte: UInt8) -> Bool {
        TokenShape.Body.alphanumeric.allows(byte) || [43, 47, 61, 95, 46, 126, 33, 37, 42, 45].contains(byte)
    }

    /// Where the name's type annotation ends, for each way one can be read there.
    static func typeAnnotations(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, from start: Int) -> [Int] {
        var ends: [Int] = []
        var position = start
        while position < line.upperBound, isSpace(buffer[position]) { position += 1 }
        if position < line.upperBound, buffer[position] == 58 {
            var type = position + 1
            while type < line.upperBound, isSpace(buffer[type]) { type += 1 }
            if type < line.upperBound, lower(buffer[type]) >= 97 && lower(buffer[type]) <= 122 || buffer[type] == 95 {
                var end = type + 1
                while end < line.upperBound,
                    isNameByte(buffer[end]) && buffer[end] != 45 || [46, 91, 93, 124, 63].contains(buffer[end])
                {
                    end += 1
                }
                ends.append(end)
            }
        }
        if position > start {
            for word in ["string", "str"] {
                let bytes = Array(word.utf8)
                guard position + bytes.count <= line.upperBound else { continue }
                if (0..<bytes.count).allSatisfy({ lower(buffer[position + $0]) == bytes[$0] }) {
                    ends.append(position + bytes.count)
                }
            }
        }
        return ends
    }

    /// `\s*(?:[:=]|=>|:=)\s*[bru]?["']([^"'\s]{6,200})["']` from `start`.
    static func assignedValue(_ buffer: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, from start: Int) -> Range<Int>?
    {
        var position = start
        while position < line.upperBound, isSpace(buffer[position]) { position += 1 }
        guard position < line.upperBound, buffer[position] == 58 || buffer[position] == 61 else { return nil }
        var operators = [position + 1]
        // `=>` and `:=`; never `==`, a comparison.
        if position + 1 < line.upperBound,
            buffer[position] == 61 && buffer[position + 1] == 62 || buffer[position] == 58 && buffer[position + 1] == 61
        {
            operators.append(position + 2)
        }
        for afterOperator in operators {
            var value = afterOperator
            while value < line.upperBound, isSpace(buffer[value]) { value += 1 }
            if value < line.upperBound, [98, 114, 117].contains(lower(buffer[value])) { value += 1 }
            guard value < line.upperBound, buffer[value] == 34 || buffer[value] == 39 else { continue }
            value += 1
            var end = value
            while end < line.upperBound, buffer[end] != 34, buffer[end] != 39, !isSpace(buffer[end]) { end += 1 }
            guard (6...200).contains(end - value), end < line.upperBound, buffer[end] == 34 || buffer[end] == 39 else {
                continue
            }
            return value..<end
        }
        return nil
    }
}
