extension FactExpression {
    /// Why the expression did not hold, as sentences naming the actual values:
    /// `coverage.percent = 4.84, expected >= 80`. Empty when it held.
    public func explainFailure(in scope: Scope) -> [String] {
        do {
            return try truth(in: scope) ? [] : reasons(in: scope)
        } catch {
            return [error.message]
        }
    }

    /// Reasons for a sub-expression known to be false.
    private func reasons(in scope: Scope) -> [String] {
        switch self {
        case .and(let lhs, let rhs):
            return [lhs, rhs].filter { (try? $0.truth(in: scope)) == false }.flatMap { $0.reasons(in: scope) }
        case .or(let lhs, let rhs):
            return lhs.reasons(in: scope) + rhs.reasons(in: scope)
        case .not(let operand):
            return ["expected not (\(operand)), but it held"]
        case .compare(let lhs, let op, let rhs):
            let left = (try? lhs.evaluate(in: scope))?.description ?? "?"
            let right = (try? rhs.evaluate(in: scope))?.description ?? "?"
            switch (lhs, rhs) {
            case (.literal, .literal):
                return ["\(self) is false"]
            case (_, .literal):
                return ["\(lhs) = \(left), expected \(op.rawValue) \(rhs)"]
            case (.literal, _):
                return ["\(rhs) = \(right), expected \(lhs) \(op.rawValue) it"]
            default:
                return ["\(lhs) = \(left) and \(rhs) = \(right), expected \(self)"]
            }
        case .call("exists", let arguments):
            return ["\(arguments.first?.description ?? "fact") does not exist"]
        case .call("changed", let arguments):
            return ["nothing changed matching \(arguments.first?.description ?? "")"]
        case .fact(let path):
            return ["\(path) = false, expected true"]
        default:
            return ["\(self) is false"]
        }
    }
}
