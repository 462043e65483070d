extension FactExpression {
    /// The stated expectations (or, when none, the defaults) plus every guard whose facts they do not
    /// already judge: `expect: tests.failed == 0` keeps `exit == 0`; `expect: exit == 1` replaces it.
    public static func judging(stated: [FactExpression], defaults: [FactExpression], guards: [FactExpression])
        -> [FactExpression]
    {
        let chosen = stated.isEmpty ? defaults : stated
        let read = chosen.flatMap(\.factPaths)
        // `status.200` or `tests.errors` read by the item count as judging `status` / `tests.errors`.
        func related(_ a: String, _ b: String) -> Bool { a == b || a.hasPrefix(b + ".") || b.hasPrefix(a + ".") }
        let kept = guards.filter { guardExpectation in
            !chosen.contains(guardExpectation)
                && !guardExpectation.factPaths.contains { path in read.contains { related($0, path) } }
        }
        return kept + chosen
    }

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
            case (.list, _) where op == .contains:
                return ["\(rhs) = \(right), expected one of \(lhs)"]
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
