extension FactExpression {
    /// Parses an expression. Precedence, loosest first: `or`, `and`, `not`, comparisons.
    public static func parse(_ text: String) throws(ExpressionSyntaxError) -> FactExpression {
        var lexer = Lexer(text)
        var parser = ExpressionParser(tokens: try lexer.tokens())
        let expression = try parser.parseOr()
        guard case .end = parser.current.kind else {
            throw ExpressionSyntaxError(
                message: "unexpected \(parser.current.kind.display) after a complete expression",
                offset: parser.current.offset)
        }
        return expression
    }

    /// Functions the language knows, with their arity.
    public static let functions: [String: Int] = ["exists": 1, "len": 1, "changed": 1]
}

private struct ExpressionParser {
    let tokens: [Token]
    var position = 0
    var depth = 0

    init(tokens: [Token]) { self.tokens = tokens }

    var current: Token { tokens[position] }

    static let maximumDepth = 64

    mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    func isKeyword(_ word: String) -> Bool {
        if case .identifier(let name) = current.kind { return name == word }
        return false
    }

    func isSymbol(_ symbol: String) -> Bool {
        if case .symbol(let found) = current.kind { return found == symbol }
        return false
    }

    mutating func parseOr() throws(ExpressionSyntaxError) -> FactExpression {
        var lhs = try parseAnd()
        while isKeyword("or") || isSymbol("||") {
            advance()
            lhs = .or(lhs, try parseAnd())
        }
        return lhs
    }

    mutating func parseAnd() throws(ExpressionSyntaxError) -> FactExpression {
        var lhs = try parseNot()
        while isKeyword("and") || isSymbol("&&") {
            advance()
            lhs = .and(lhs, try parseNot())
        }
        return lhs
    }

    mutating func parseNot() throws(ExpressionSyntaxError) -> FactExpression {
        if isKeyword("not") || isSymbol("!") {
            try enter()
            defer { depth -= 1 }
            advance()
            return .not(try parseNot())
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws(ExpressionSyntaxError) -> FactExpression {
        let lhs = try parsePrimary()
        let op: ComparisonOperator?
        switch current.kind {
        case .symbol(let symbol): op = ComparisonOperator(rawValue: symbol)
        case .identifier("contains"): op = .contains
        default: op = nil
        }
        guard let op else { return lhs }
        advance()
        let rhs = try parsePrimary()
        if case .symbol(let symbol) = current.kind, ComparisonOperator(rawValue: symbol) != nil {
            throw ExpressionSyntaxError(
                message: "comparisons do not chain; join them with `and`", offset: current.offset)
        }
        return .compare(lhs, op, rhs)
    }

    mutating func enter() throws(ExpressionSyntaxError) {
        depth += 1
        if depth > ExpressionParser.maximumDepth {
            throw ExpressionSyntaxError(
                message: "expression nests deeper than \(ExpressionParser.maximumDepth) levels",
                offset: current.offset)
        }
    }

    mutating func parsePrimary() throws(ExpressionSyntaxError) -> FactExpression {
        let token = current
        switch token.kind {
        case .number(let number, let unit):
            advance()
            return .literal(Units.value(number, unit: unit))
        case .string(let string):
            advance()
            return .literal(.string(string))
        case .identifier("true"):
            advance()
            return .literal(.bool(true))
        case .identifier("false"):
            advance()
            return .literal(.bool(false))
        case .identifier(let name) where ["and", "or", "not", "contains"].contains(name):
            throw ExpressionSyntaxError(message: "expected a value before `\(name)`", offset: token.offset)
        case .identifier(let name):
            advance()
            guard isSymbol("(") else { return .fact(name) }
            guard let arity = FactExpression.functions[name] else {
                let known = FactExpression.functions.keys.sorted().joined(separator: ", ")
                throw ExpressionSyntaxError(
                    message: "unknown function `\(name)`; expected one of \(known)",
                    offset: token.offset)
            }
            let arguments = try parseArguments(closing: ")")
            guard arguments.count == arity else {
                throw ExpressionSyntaxError(
                    message: "`\(name)` takes \(arity) argument\(arity == 1 ? "" : "s"), got \(arguments.count)",
                    offset: token.offset)
            }
            if name == "exists", case .fact = arguments[0] {
            } else if name == "exists" {
                throw ExpressionSyntaxError(
                    message: "`exists` takes a fact name such as exists(json.status)",
                    offset: token.offset)
            }
            return .call(name, arguments)
        case .symbol("("):
            try enter()
            defer { depth -= 1 }
            advance()
            let inner = try parseOr()
            guard isSymbol(")") else {
                throw ExpressionSyntaxError(
                    message: "expected `)` to close the `(` at character \(token.offset + 1)",
                    offset: current.offset)
            }
            advance()
            return inner
        case .symbol("["):
            return .list(try parseArguments(closing: "]"))
        case .end:
            throw ExpressionSyntaxError(message: "expression ends where a value was expected", offset: token.offset)
        case .symbol(let symbol):
            throw ExpressionSyntaxError(message: "expected a value, found `\(symbol)`", offset: token.offset)
        }
    }

    /// Parses `( a, b )` or `[ a, b ]`, starting at the opening symbol.
    mutating func parseArguments(closing: String) throws(ExpressionSyntaxError) -> [FactExpression] {
        try enter()
        defer { depth -= 1 }
        advance()
        var arguments: [FactExpression] = []
        if isSymbol(closing) {
            advance()
            return arguments
        }
        while true {
            arguments.append(try parseOr())
            if isSymbol(",") {
                advance()
                continue
            }
            guard isSymbol(closing) else {
                throw ExpressionSyntaxError(
                    message: "expected `,` or `\(closing)`, found \(current.kind.display)",
                    offset: current.offset)
            }
            advance()
            return arguments
        }
    }
}

extension Token.Kind {
    var display: String {
        switch self {
        case .number(let number, let unit): "`\(Value.format(number))\(unit)`"
        case .string(let string): "string \(FactExpression.quote(string))"
        case .identifier(let name): "`\(name)`"
        case .symbol(let symbol): "`\(symbol)`"
        case .end: "the end of the expression"
        }
    }
}
