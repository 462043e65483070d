import Foundation
import Yams

/// A YAML node with its place in the file and its key path, and typed readers that report
/// problems to the load's sink instead of throwing, so one pass finds every problem.
public struct ConfigNode {
    let node: Yams.Node
    let file: String
    public let keyPath: String
    let sink: DiagnosticSink
    let budget: NodeBudget

    init(node: Yams.Node, file: String, keyPath: String, sink: DiagnosticSink, budget: NodeBudget) {
        self.node = node
        self.file = file
        self.keyPath = keyPath
        self.sink = sink
        self.budget = budget
    }

    public var location: SourceLocation? {
        node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
    }

    /// Records a problem at this node.
    public func report(_ message: String) {
        sink.report(message, at: self)
    }

    func child(_ node: Yams.Node, key: String) -> ConfigNode? {
        guard spend() else { return nil }
        let path = keyPath.isEmpty ? key : (key.hasPrefix("[") ? keyPath + key : keyPath + "." + key)
        return ConfigNode(node: node, file: file, keyPath: path, sink: sink, budget: budget)
    }

    /// Counts one more node against the budget; false (reported once) when the document holds too many.
    private func spend() -> Bool {
        guard budget.spend() else {
            if budget.reportOnce() {
                sink.report(
                    "the document expands to more than \(budget.limit) nodes, more than its \(budget.bytes) bytes hold "
                        + "written out: YAML aliases (`*name`) repeat parts of it (an alias bomb?); refusing to load it",
                    at: self)
            }
            return false
        }
        return true
    }

    var kindName: String {
        switch node {
        case .scalar(let scalar):
            if isNull { return "nothing" }
            if node.int != nil { return "a number" }
            if node.float != nil, scalar.style == .plain { return "a number" }
            if node.bool != nil, scalar.style == .plain { return "a boolean" }
            return "a string"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// `~`, `null` or nothing, written plain. (Not through `kindName`: its number tests are slow, and
    /// every string read asks this.)
    public var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null"
    }

    public var isSequence: Bool {
        if case .sequence = node { return true }
        return false
    }

    public var isMapping: Bool {
        if case .mapping = node { return true }
        return false
    }

    // MARK: - Typed readers

    /// Key-value pairs in file order; reports and returns nil when this is not a mapping.
    public func mapping(expected: String = "a mapping") -> [(key: String, keyNode: ConfigNode, value: ConfigNode)]? {
        guard case .mapping(let mapping) = node else {
            report("expected \(expected), got \(kindName)")
            return nil
        }
        var pairs: [(key: String, keyNode: ConfigNode, value: ConfigNode)] = []
        var seen: Set<String> = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(
                    "keys must be plain strings, got \(ConfigNode(node: keyNode, file: file, keyPath: keyPath, sink: sink, budget: budget).kindName)"
                )
                continue
            }
            let key = scalar.string
            guard let valueConfig = child(valueNode, key: key), spend() else { return nil }
            // The key's node shares its value's key path (one string for both).
            let keyConfig = ConfigNode(
                node: keyNode, file: file, keyPath: valueConfig.keyPath, sink: sink, budget: budget)
            if !seen.insert(key).inserted {
                keyConfig.report("`\(key)` appears twice in this mapping")
                continue
            }
            pairs.append((key, keyConfig, valueConfig))
        }
        return pairs
    }

    /// The mapping's values by key, after reporting keys outside `allowed` (with a suggestion).
    /// `allowedSet`, when given, holds the same keys as `allowed`, for lookups in long lists.
    public func fields(allowed: [String], allowedSet: Set<String>? = nil, expected: String = "a mapping")
        -> [String: ConfigNode]?
    {
        guard let pairs = mapping(expected: expected) else { return nil }
        var result: [String: ConfigNode] = [:]
        for pair in pairs {
            if allowedSet?.contains(pair.key) ?? allowed.contains(pair.key) {
                result[pair.key] = pair.value
            } else {
                pair.keyNode.report("unknown key `\(pair.key)`; \(Suggestions.hint(for: pair.key, among: allowed))")
            }
        }
        return result
    }

    public func sequence(expected: String = "a list") -> [ConfigNode]? {
        guard case .sequence(let sequence) = node else {
            report("expected \(expected), got \(kindName)")
            return nil
        }
        var result: [ConfigNode] = []
        for (index, element) in sequence.enumerated() {
            guard let child = child(element, key: "[\(index)]") else { return nil }
            result.append(child)
        }
        return result
    }

    /// A scalar as text (numbers and booleans too, as written).
    public func string(expected: String = "a string") -> String? {
        guard case .scalar(let scalar) = node, !isNull else {
            report("expected \(expected), got \(kindName)")
            return nil
        }
        return scalar.string
    }

    /// A string, or a list of strings.
    public func strings(expected: String = "a string or a list of strings") -> [String]? {
        if case .sequence = node {
            guard let elements = sequence(expected: expected) else { return nil }
            let values = elements.compactMap { $0.string(expected: "a string") }
            return values.count == elements.count ? values : nil
        }
        return string(expected: expected).map { [$0] }
    }

    public func bool() -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let bool = node.bool else {
            report("expected true or false, got \(kindName)\(scalarSuffix)")
            return nil
        }
        return bool
    }

    public func integer(in range: ClosedRange<Int>) -> Int? {
        guard case .scalar = node, let int = node.int else {
            report("expected a whole number, got \(kindName)\(scalarSuffix)")
            return nil
        }
        guard range.contains(int) else {
            report("expected a number from \(range.lowerBound) to \(range.upperBound), got \(int)")
            return nil
        }
        return int
    }

    /// A duration such as `90s`, `10m`, `1h30m` or `250ms`, in seconds.
    public func duration() -> Double? {
        guard case .scalar(let scalar) = node, !isNull, let seconds = parseDuration(scalar.string), seconds > 0 else {
            report("expected a duration like 90s or 10m, got \(kindName)\(scalarSuffix)")
            return nil
        }
        return seconds
    }

    /// An expectation or condition, with syntax errors placed at their column.
    public func expression() -> FactExpression? {
        guard let text = string(expected: "an expression such as `exit == 0`") else { return nil }
        do {
            return try FactExpression.parse(text)
        } catch {
            reportInValue(error.message, offset: error.offset, expression: text)
            return nil
        }
    }

    /// A string with `${{ env.NAME }}` / `${{ vars.NAME }}` references, checked against known vars.
    public func template(knownVars: Set<String>) -> Template? {
        guard let text = string() else { return nil }
        return template(text, knownVars: knownVars)
    }

    /// A template, or a list of them (`allowed-origins: ["${{ vars.BASE_URL }}"]`).
    public func templates(knownVars: Set<String>, expected: String = "a string or a list of strings") -> [Template]? {
        guard let texts = strings(expected: expected) else { return nil }
        let templates = texts.compactMap { template($0, knownVars: knownVars) }
        return templates.count == texts.count ? templates : nil
    }

    func template(_ text: String, knownVars: Set<String>) -> Template? {
        do {
            let template = try Template.parse(text)
            for name in template.variableNames where !knownVars.contains(name) {
                var message = "unknown variable `vars.\(name)`"
                if let suggestion = Suggestions.closest(to: name, in: Array(knownVars)) {
                    message += "; did you mean `vars.\(suggestion)`?"
                } else {
                    message += "; define it under `vars:`"
                }
                report(message)
            }
            return template
        } catch {
            reportInValue(error.message, offset: error.offset, expression: text)
            return nil
        }
    }

    /// Reports `${{ … }}` in values of fixed-vocabulary parameters (`method`, `aggregate`, `shell`):
    /// every other string parameter is a template, expanded at run time by `CheckContext.expand`,
    /// so a reference here would otherwise reach the check literally.
    public func reportVariablesInFixedValues(_ type: ParameterType) {
        switch (type, node) {
        case (.string, .scalar(let scalar)) where scalar.string.contains("${{"):
            report("`\(keyPath)` takes a fixed value; `${{ … }}` is not expanded here")
        case (.list(let element), .sequence(let sequence)):
            for (index, child) in sequence.enumerated() {
                ConfigNode(node: child, file: file, keyPath: keyPath + "[\(index)]", sink: sink, budget: budget)
                    .reportVariablesInFixedValues(element)
            }
        case (.map(let element), .mapping(let mapping)):
            for (key, value) in mapping {
                ConfigNode(
                    node: value, file: file, keyPath: keyPath + "." + (key.string ?? "?"), sink: sink, budget: budget
                )
                .reportVariablesInFixedValues(element)
            }
        case (.object(let parameters), .mapping(let mapping)), (.probe(let parameters), .mapping(let mapping)):
            for (key, value) in mapping {
                guard let name = key.string, let parameter = parameters.first(where: { $0.name == name }) else {
                    continue
                }
                ConfigNode(node: value, file: file, keyPath: keyPath + "." + name, sink: sink, budget: budget)
                    .reportVariablesInFixedValues(parameter.type)
            }
        case (.oneOf(let types), _):
            // Only when no alternative takes a template.
            if !types.contains(where: { if case .template = $0 { return true } else { return false } }) {
                for alternative in types { reportVariablesInFixedValues(alternative) }
            }
        default:
            break
        }
    }

    /// Reports a problem at a character offset inside this scalar, when it sits on one line.
    private func reportInValue(_ message: String, offset: Int, expression text: String) {
        var location = self.location
        if let base = location, case .scalar(let scalar) = node,
            scalar.style == .plain || scalar.style == .singleQuoted
                || scalar.style == .doubleQuoted, !text.contains("\n")
        {
            let quote = scalar.style == .plain ? 0 : 1
            location = SourceLocation(file: base.file, line: base.line, column: base.column + quote + offset)
        }
        sink.report("\(message) in `\(text)`", location: location, keyPath: keyPath)
    }

    private var scalarSuffix: String {
        if case .scalar(let scalar) = node, !isNull { return " `\(scalar.string.prefix(60))`" }
        return ""
    }
}

/// Caps the nodes a load may visit, so alias bombs ("billion laughs") end in a clean error.
/// The limit grows with the bytes loaded (a node written out takes at least one), so a large
/// configuration loads while an alias bomb, a few bytes that expand without end, is still stopped.
final class NodeBudget {
    static let minimum = 200_000
    private(set) var bytes = 0
    private var spent = 0
    private var reported = false

    var limit: Int { max(Self.minimum, bytes) }

    func allow(bytes count: Int) { bytes += count }

    func spend() -> Bool {
        spent += 1
        return spent <= limit
    }

    func reportOnce() -> Bool {
        defer { reported = true }
        return !reported
    }
}
