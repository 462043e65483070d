/// A syntax error in an expression, with the character offset where it was found.
public struct ExpressionSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// Zero-based offset in characters from the start of the expression.
    public let offset: Int

    public var description: String { "\(message) (at character \(offset + 1))" }
}

struct Token: Equatable {
    enum Kind: Equatable {
        case number(Double, unit: String)
        case string(String)
        case identifier(String)
        case symbol(String)
        case end
    }

    let kind: Kind
    let offset: Int
}

/// Splits an expression into tokens. Works on unicode scalars so that offsets match columns.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static let maximumLength = 10_000

    mutating func tokens() throws(ExpressionSyntaxError) -> [Token] {
        guard scalars.count <= Lexer.maximumLength else {
            throw ExpressionSyntaxError(
                message: "expression is \(scalars.count) characters long; the limit is \(Lexer.maximumLength)",
                offset: 0)
        }
        var result: [Token] = []
        while true {
            let token = try next()
            result.append(token)
            if token.kind == .end { return result }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private mutating func next() throws(ExpressionSyntaxError) -> Token {
        while let scalar = peek(), scalar.properties.isWhitespace { index += 1 }
        let start = index
        guard let scalar = peek() else { return Token(kind: .end, offset: index) }

        if scalar.isDigit || (scalar == "-" && (peek(1)?.isDigit ?? false))
            || (scalar == "." && (peek(1)?.isDigit ?? false))
        {
            return try number(start: start)
        }
        if scalar == "\"" || scalar == "'" {
            return try string(quote: scalar, start: start)
        }
        if scalar.isIdentifierStart {
            index += 1
            while let next = peek(), next.isIdentifierPart || (next == "." && (peek(1)?.isIdentifierPart ?? false)) {
                index += 1
            }
            return Token(kind: .identifier(String(String.UnicodeScalarView(scalars[start..<index]))), offset: start)
        }
        for symbol in ["==", "!=", "<=", ">=", "=~", "&&", "||", "<", ">", "(", ")", "[", "]", ",", "!"] {
            let symbolScalars = Array(symbol.unicodeScalars)
            if index + symbolScalars.count <= scalars.count,
                Array(scalars[index..<index + symbolScalars.count]) == symbolScalars
            {
                index += symbolScalars.count
                return Token(kind: .symbol(symbol), offset: start)
            }
        }
        if scalar == "=" {
            throw ExpressionSyntaxError(message: "unexpected `=`; use `==` to compare", offset: start)
        }
        throw ExpressionSyntaxError(message: "unexpected character `\(Character(scalar))`", offset: start)
    }

    private mutating func number(start: Int) throws(ExpressionSyntaxError) -> Token {
        if peek() == "-" { index += 1 }
        while let scalar = peek(), scalar.isDigit || scalar == "." || scalar == "_" { index += 1 }
        if let scalar = peek(), scalar == "e" || scalar == "E",
            let following = peek(1),
            following.isDigit || ((following == "-" || following == "+") && (peek(2)?.isDigit ?? false))
        {
            index += 2
            while let scalar = peek(), scalar.isDigit { index += 1 }
        }
        let digits = String(String.UnicodeScalarView(scalars[start..<index])).replacingOccurrences(of: "_", with: "")
        guard let value = Double(digits) else {
            throw ExpressionSyntaxError(message: "`\(digits)` is not a number", offset: start)
        }
        let unitStart = index
        while let scalar = peek(), scalar.isLetter || scalar == "%" { index += 1 }
        let unit = String(String.UnicodeScalarView(scalars[unitStart..<index]))
        if !unit.isEmpty, Units.lookup(unit) == nil {
            throw ExpressionSyntaxError(
                message: "unknown unit `\(unit)`; expected one of \(Units.names.joined(separator: ", "))",
                offset: unitStart)
        }
        return Token(kind: .number(value, unit: unit), offset: start)
    }

    private mutating func string(quote: Unicode.Scalar, start: Int) throws(ExpressionSyntaxError) -> Token {
        index += 1
        var text = String.UnicodeScalarView()
        while let scalar = peek() {
            index += 1
            if scalar == quote { return Token(kind: .string(String(text)), offset: start) }
            if scalar == "\\" {
                guard let escaped = peek() else { break }
                index += 1
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                default: text.append(escaped)
                }
            } else {
                text.append(scalar)
            }
        }
        throw ExpressionSyntaxError(
            message: "string is not closed; expected a closing \(Character(quote))", offset: start)
    }
}

extension Unicode.Scalar {
    var isDigit: Bool { ("0"..."9").contains(self) }
    var isLetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isIdentifierStart: Bool { isLetter || self == "_" }
    var isIdentifierPart: Bool { isLetter || isDigit || self == "_" || self == "-" }
}
