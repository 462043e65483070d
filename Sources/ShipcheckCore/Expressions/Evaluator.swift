import Foundation

/// Why an expression could not be evaluated: a missing fact, a type mismatch, a bad pattern.
/// This is never a plain `false`: a check whose expectation cannot be evaluated is an error.
public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// The fact that was not there, when that is why: the check ran but did not say what was expected
    /// of it (a JSON body without the key), which the engine judges a fail rather than an error.
    public var missingFact: String?
    public var description: String { message }

    public init(message: String, missingFact: String? = nil) {
        self.message = message
        self.missingFact = missingFact
    }
}

/// What an expression can see: facts by path, and the paths changed in this deploy for `changed()`.
public struct Scope: Sendable {
    public var facts: Facts
    /// nil when nobody said what changed; `changed()` is then an error rather than a guess.
    public var changedPaths: [String]?

    public init(facts: Facts, changedPaths: [String]? = nil) {
        self.facts = facts
        self.changedPaths = changedPaths
    }

    func lookup(_ path: String) throws(EvaluationError) -> Value {
        if let value = facts[path] { return value }
        // Configured variables are visible to expectations but are not what the check answered.
        let known = facts.keys.filter { !$0.isEmpty && !$0.hasPrefix("vars.") }.sorted()
        var message = "fact `\(path)` is missing"
        let namespace = path.split(separator: ".").first.map { String($0) + "." } ?? ""
        let siblings = known.filter { $0.hasPrefix(namespace) && namespace.count > 1 }
        if let suggestion = Suggestions.closest(to: path, in: known) {
            message += "; did you mean `\(suggestion)`?"
        } else if !siblings.isEmpty {
            // `json.status` against a body holding `json.ok`: say what the answer did hold.
            let shown = siblings.prefix(8).joined(separator: ", ")
            message += "; the check answered \(shown)\(siblings.count > 8 ? ", …" : "")"
        } else if !known.isEmpty {
            let shown = known.prefix(12).joined(separator: ", ")
            message += " (facts available: \(shown)\(known.count > 12 ? ", …" : ""))"
        }
        throw EvaluationError(message: message, missingFact: path)
    }
}

extension FactExpression {
    /// Evaluates to a value of any type.
    public func evaluate(in scope: Scope) throws(EvaluationError) -> Value {
        switch self {
        case .literal(let value):
            return value
        case .fact(let path):
            return try scope.lookup(path)
        case .list(let elements):
            var values: [Value] = []
            for element in elements { values.append(try element.evaluate(in: scope)) }
            return .list(values)
        case .not(let operand):
            return .bool(!(try operand.truth(in: scope)))
        case .and(let lhs, let rhs):
            guard try lhs.truth(in: scope) else { return .bool(false) }
            return .bool(try rhs.truth(in: scope))
        case .or(let lhs, let rhs):
            if try lhs.truth(in: scope) { return .bool(true) }
            return .bool(try rhs.truth(in: scope))
        case .compare(let lhs, let op, let rhs):
            return .bool(try FactExpression.compare(lhs.evaluate(in: scope), op, rhs.evaluate(in: scope)))
        case .call(let name, let arguments):
            return try call(name, arguments, in: scope)
        }
    }

    /// Evaluates to a boolean, or says why it cannot.
    public func truth(in scope: Scope) throws(EvaluationError) -> Bool {
        let value = try evaluate(in: scope)
        guard case .bool(let bool) = value else {
            throw EvaluationError(message: "`\(self)` is \(value.typeName) \(value), expected true or false")
        }
        return bool
    }

    private func call(_ name: String, _ arguments: [FactExpression], in scope: Scope) throws(EvaluationError) -> Value {
        switch name {
        case "exists":
            guard case .fact(let path) = arguments[0] else { return .bool(false) }
            return .bool(scope.facts[path] != nil)
        case "len":
            switch try arguments[0].evaluate(in: scope) {
            case .string(let string): return .number(Double(string.count))
            case .list(let values): return .number(Double(values.count))
            case let other:
                throw EvaluationError(message: "len() takes a string or a list, got \(other.typeName) \(other)")
            }
        case "changed":
            guard case .string(let pattern) = try arguments[0].evaluate(in: scope) else {
                throw EvaluationError(message: "changed() takes a glob string such as changed(\"migrations/**\")")
            }
            guard let paths = scope.changedPaths else {
                throw EvaluationError(
                    message: "changed(\"\(pattern)\") needs to know what changed; pass --changed-since REF")
            }
            let glob = Glob(pattern)
            return .bool(paths.contains { glob.matches($0) })
        default:
            throw EvaluationError(message: "unknown function `\(name)`")
        }
    }

    static func compare(_ lhs: Value, _ op: ComparisonOperator, _ rhs: Value) throws(EvaluationError) -> Bool {
        switch (op, lhs, rhs) {
        case (.matches, .string(let text), .string(let pattern)):
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                throw EvaluationError(message: "`\(pattern)` is not a valid regular expression")
            }
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        case (.matches, _, _):
            throw EvaluationError(
                message: "=~ matches a string against a pattern string, got \(lhs.typeName) and \(rhs.typeName)")
        case (.contains, .string(let text), .string(let part)):
            return text.contains(part)
        case (.contains, .list(let values), let needle):
            return values.contains(needle)
        case (.contains, _, _):
            throw EvaluationError(message: "contains needs a string or a list on its left, got \(lhs.typeName) \(lhs)")
        case (_, .number(let a), .number(let b)), (_, .duration(let a), .duration(let b)):
            return order(a, op, b)
        case (_, .string(let a), .string(let b)):
            return order(a, op, b)
        case (.equal, .bool(let a), .bool(let b)): return a == b
        case (.notEqual, .bool(let a), .bool(let b)): return a != b
        case (.equal, .list, .list): return lhs == rhs
        case (.notEqual, .list, .list): return lhs != rhs
        case (_, .duration, .number), (_, .number, .duration):
            throw EvaluationError(
                message:
                    "cannot compare \(lhs.typeName) \(lhs) with \(rhs.typeName) \(rhs); give the number a unit such as 500ms or 2s"
            )
        default:
            throw EvaluationError(
                message: "cannot compare \(lhs.typeName) \(lhs) \(op.rawValue) \(rhs.typeName) \(rhs)")
        }
    }

    private static func order<T: Comparable>(_ a: T, _ op: ComparisonOperator, _ b: T) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        case .matches, .contains: false
        }
    }
}
