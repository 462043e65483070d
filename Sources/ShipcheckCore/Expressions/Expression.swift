/// A parsed expectation or condition: `tests.failed == 0`, `latency.p95 < 500ms and not exists(error)`.
public indirect enum FactExpression: Sendable, Hashable {
    case literal(Value)
    case fact(String)
    case call(String, [FactExpression])
    case not(FactExpression)
    case and(FactExpression, FactExpression)
    case or(FactExpression, FactExpression)
    case compare(FactExpression, ComparisonOperator, FactExpression)
    case list([FactExpression])
}

public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case matches = "=~"
    case contains = "contains"
}

extension FactExpression: CustomStringConvertible {
    /// Canonical source text, used in explanations.
    public var description: String { render(parentPrecedence: 0) }

    private var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .not: 3
        case .compare: 4
        default: 5
        }
    }

    private func render(parentPrecedence: Int) -> String {
        let text: String
        switch self {
        case .literal(let value):
            switch value {
            case .duration(let seconds): text = Value.formatDuration(seconds)
            case .string(let string): text = FactExpression.quote(string)
            default: text = value.description
            }
        case .fact(let path): text = path
        case .call(let name, let arguments):
            text = name + "(" + arguments.map { $0.render(parentPrecedence: 0) }.joined(separator: ", ") + ")"
        case .not(let operand): text = "not " + operand.render(parentPrecedence: precedence)
        case .and(let lhs, let rhs):
            text = lhs.render(parentPrecedence: precedence) + " and " + rhs.render(parentPrecedence: precedence + 1)
        case .or(let lhs, let rhs):
            text = lhs.render(parentPrecedence: precedence) + " or " + rhs.render(parentPrecedence: precedence + 1)
        case .compare(let lhs, let op, let rhs):
            text =
                lhs.render(parentPrecedence: precedence + 1) + " \(op.rawValue) "
                + rhs.render(parentPrecedence: precedence + 1)
        case .list(let elements):
            text = "[" + elements.map { $0.render(parentPrecedence: 0) }.joined(separator: ", ") + "]"
        }
        return precedence < parentPrecedence ? "(\(text))" : text
    }

    static func quote(_ string: String) -> String {
        var out = "\""
        for character in string {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    /// Whether the expression calls `name` anywhere.
    public func calls(_ name: String) -> Bool {
        switch self {
        case .literal, .fact: false
        case .call(let called, let arguments): called == name || arguments.contains { $0.calls(name) }
        case .list(let elements): elements.contains { $0.calls(name) }
        case .not(let operand): operand.calls(name)
        case .and(let lhs, let rhs), .or(let lhs, let rhs), .compare(let lhs, _, let rhs):
            lhs.calls(name) || rhs.calls(name)
        }
    }

    /// The same expression reading `prefix + path` for every fact (`status` → `api.status`), for
    /// expectations of a probe whose facts sit under its name.
    public func prefixingFacts(with prefix: String) -> FactExpression {
        switch self {
        case .literal: self
        case .fact(let path): .fact(prefix + path)
        case .call(let name, let arguments): .call(name, arguments.map { $0.prefixingFacts(with: prefix) })
        case .list(let elements): .list(elements.map { $0.prefixingFacts(with: prefix) })
        case .not(let operand): .not(operand.prefixingFacts(with: prefix))
        case .and(let lhs, let rhs): .and(lhs.prefixingFacts(with: prefix), rhs.prefixingFacts(with: prefix))
        case .or(let lhs, let rhs): .or(lhs.prefixingFacts(with: prefix), rhs.prefixingFacts(with: prefix))
        case .compare(let lhs, let op, let rhs):
            .compare(lhs.prefixingFacts(with: prefix), op, rhs.prefixingFacts(with: prefix))
        }
    }

    /// Every fact path the expression reads, for validation and documentation.
    public var factPaths: [String] {
        switch self {
        case .literal: []
        case .fact(let path): [path]
        case .call(_, let arguments), .list(let arguments): arguments.flatMap(\.factPaths)
        case .not(let operand): operand.factPaths
        case .and(let lhs, let rhs), .or(let lhs, let rhs), .compare(let lhs, _, let rhs):
            lhs.factPaths + rhs.factPaths
        }
    }
}
