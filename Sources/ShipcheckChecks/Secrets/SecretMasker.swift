import Foundation
public import ShipcheckCore

/// Masks credentials by their shape in text a check captured (output, bodies, parsed documents)
/// before it is stored, reported or printed: the scanner's rules, without its entropy guesses (a
/// commit hash in a log is not a secret) and without its allow markers (a command's output cannot
/// vouch for itself). A private key is masked whole, from its BEGIN line to its END line.
public struct SecretMasker: SecretPatterns {
    let scanner: SecretScanner

    public init() {
        scanner = SecretScanner(rules: SecretRules.all, entropy: false)
    }

    static let privateKeyBlock = NSRegularExpression.builtIn(
        #"-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)"#
    )

    public func mask(_ text: String) -> String {
        var text = text
        if text.contains("-----BEGIN ") { text = Self.maskPrivateKeys(text) }
        var bytes = Array(text.utf8)
        var changed = false
        var output: [UInt8] = []
        scanner.withTables { tables in
            bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                var copied = 0
                while start < buffer.count {
                    let end = SecretScanner.lineEnd(buffer, from: start)
                    if end > start {
                        let candidates = scanner.prefilter(buffer, start..<end, tables).candidates
                        if candidates != 0, let masked = maskLine(buffer, start..<end, candidates: candidates) {
                            if !changed {
                                output.reserveCapacity(buffer.count + 64)
                                changed = true
                            }
                            output.append(contentsOf: buffer[copied..<start])
                            output.append(contentsOf: masked.utf8)
                            copied = end
                        }
                    }
                    start = end + 1
                }
                if changed { output.append(contentsOf: buffer[copied..<buffer.count]) }
            }
        }
        guard changed else { return text }
        bytes = output
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The line with every secret a candidate rule matches replaced; nil when nothing matched.
    private func maskLine(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, candidates: UInt64) -> String? {
        let line = String(decoding: buffer[range], as: UTF8.self)
        var replacements: [(NSRange, String)] = []
        let whole = NSRange(line.startIndex..., in: line)
        for (index, rule) in scanner.rules.enumerated() where candidates & (1 << index) != 0 {
            // A private key's header was masked whole, body and all, before.
            if rule.id == "private-key" { continue }
            for match in rule.regex.matches(in: line, range: whole) {
                let group = min(rule.secretGroup, match.numberOfRanges - 1)
                let span = match.range(at: group)
                guard span.location != NSNotFound, span.length > 0,
                    let secretRange = Range(span, in: line)
                else { continue }
                let secret = String(line[secretRange])
                if rule.rejectsPlaceholders, SecretRules.isPlaceholder(secret) { continue }
                if secret.hasPrefix("[masked ") || secret == Redactor.mask { continue }
                guard !replacements.contains(where: { NSIntersectionRange($0.0, span).length > 0 }) else { continue }
                replacements.append(
                    (span, Redactor.marker(rule: rule.id, masked: SecretScanner.mask(secret))))
            }
        }
        guard !replacements.isEmpty else { return nil }
        let masked = NSMutableString(string: line)
        for (span, marker) in replacements.sorted(by: { $0.0.location > $1.0.location }) {
            masked.replaceCharacters(in: span, with: marker)
        }
        return masked as String
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
