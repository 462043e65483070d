import Foundation

/// A configuration string with `${{ env.NAME }}` and `${{ vars.NAME }}` references.
/// Expansion happens at run time; in shell commands each value is inserted single-quoted,
/// so a value never reaches the shell unquoted.
public struct Template: Sendable, Hashable, CustomStringConvertible {
    public enum Part: Sendable, Hashable {
        case text(String)
        case environment(String)
        /// `${{ env.NAME || 'value' }}`: the value when the variable is unset.
        case environmentOr(String, String)
        case variable(String)
    }

    public let parts: [Part]

    public init(parts: [Part]) {
        self.parts = parts
    }

    public init(literal: String) {
        parts = [.text(literal)]
    }

    public var description: String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .environment(let name): "${{ env.\(name) }}"
            case .environmentOr(let name, let fallback): "${{ env.\(name) || '\(fallback)' }}"
            case .variable(let name): "${{ vars.\(name) }}"
            }
        }.joined()
    }

    public var variableNames: [String] {
        parts.compactMap { if case .variable(let name) = $0 { name } else { nil } }
    }

    public var environmentNames: [String] {
        parts.compactMap {
            switch $0 {
            case .environment(let name), .environmentOr(let name, _): name
            default: nil
            }
        }
    }

    public static func parse(_ text: String) throws(ExpressionSyntaxError) -> Template {
        // Most strings reference nothing; Foundation's substring search is slow for them.
        guard text.utf8.contains(UInt8(ascii: "$")) else { return Template(parts: [.text(text)]) }
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        var offset = 0
        // The standard library's search, not Foundation's (which goes through NSString).
        while let open = rest.firstRange(of: "${{") {
            literal += rest[..<open.lowerBound]
            offset += rest.distance(from: rest.startIndex, to: open.lowerBound)
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                throw ExpressionSyntaxError(message: "`${{` is not closed with `}}`", offset: offset)
            }
            var reference = rest[open.upperBound..<close.lowerBound].trimmedSpaces
            // `env.NAME || 'value'`: a value for when the variable is unset, single-quoted.
            var fallback: String?
            if let or = reference.firstRange(of: "||") {
                let value = reference[or.upperBound...].trimmedSpaces
                guard reference.hasPrefix("env."), value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'"),
                    !value.dropFirst().dropLast().contains("'")
                else {
                    throw ExpressionSyntaxError(
                        message:
                            "`${{ \(reference) }}` is not a reference; a value for an unset variable is written ${{ env.NAME || 'value' }}",
                        offset: offset)
                }
                fallback = String(value.dropFirst().dropLast())
                reference = reference[..<or.lowerBound].trimmedSpaces
            }
            let pieces = reference.split(separator: ".", maxSplits: 1).map(String.init)
            guard pieces.count == 2, !pieces[1].isEmpty,
                pieces[1].unicodeScalars.allSatisfy({ $0.isIdentifierPart })
            else {
                throw ExpressionSyntaxError(
                    message: "`${{ \(reference) }}` is not a reference; expected ${{ env.NAME }} or ${{ vars.NAME }}",
                    offset: offset)
            }
            if !literal.isEmpty {
                parts.append(.text(literal))
                literal = ""
            }
            switch pieces[0] {
            case "env": parts.append(fallback.map { .environmentOr(pieces[1], $0) } ?? .environment(pieces[1]))
            case "vars": parts.append(.variable(pieces[1]))
            default:
                throw ExpressionSyntaxError(
                    message: "unknown namespace `\(pieces[0])` in `${{ \(reference) }}`; expected env or vars",
                    offset: offset)
            }
            offset += rest.distance(from: open.lowerBound, to: close.upperBound)
            rest = rest[close.upperBound...]
        }
        literal += rest
        if !literal.isEmpty || parts.isEmpty { parts.append(.text(literal)) }
        return Template(parts: parts)
    }

    public enum Quoting: Sendable {
        /// Values inserted as they are (argv words, paths, URLs).
        case none
        /// Values inserted as single-quoted shell words.
        case shell
    }

    /// Replaces references by their values; a missing one is an error naming it.
    public func expand(environment: [String: String], variables: [String: String], quoting: Quoting)
        throws(TemplateError) -> String
    {
        var out = ""
        for part in parts {
            let value: String
            switch part {
            case .text(let text):
                out += text
                continue
            case .environment(let name):
                guard let found = environment[name] else { throw TemplateError(reference: "env.\(name)") }
                value = found
            case .environmentOr(let name, let fallback):
                value = environment[name] ?? fallback
            case .variable(let name):
                guard let found = variables[name] else { throw TemplateError(reference: "vars.\(name)") }
                value = found
            }
            out += quoting == .shell ? Template.shellQuote(value) : value
        }
        return out
    }

    public static func shellQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

public struct TemplateError: Error, Sendable, CustomStringConvertible {
    public let reference: String
    public var description: String { "`${{ \(reference) }}` is not set" }
}
