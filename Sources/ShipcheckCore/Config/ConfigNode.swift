import Foundation

/// A node of a configuration file with typed readers that report problems to the load's sink
/// instead of throwing, so one pass finds every problem. A node is an index into its document:
/// copying one is cheap, and its key path is worked out only when a problem is reported.
public struct ConfigNode {
    let document: YAMLDocument
    let index: Int32

    init(document: YAMLDocument, index: Int32) {
        self.document = document
        self.index = index
    }

    private var node: YAMLDocument.Node { document.nodes[Int(index)] }

    public var keyPath: String { document.keyPath(index) }

    public var location: SourceLocation? {
        let node = self.node
        return SourceLocation(file: document.file, line: Int(node.line), column: Int(node.column))
    }

    /// Records a problem at this node.
    public func report(_ message: String) {
        document.sink.report(message, at: self)
    }

    /// The scalar's text, whatever its style; nil for a collection.
    var scalarText: String? { document.scalarText(index) }

    /// Written plain, without a tag: the only scalars read as numbers, booleans or nothing.
    private var isPlainScalar: Bool { node.kind == .scalar && node.style == .plain }

    var kindName: String {
        switch node.kind {
        case .scalar:
            if isNull { return "nothing" }
            guard isPlainScalar, let text = scalarText else { return "a string" }
            if YAMLScalar.integer(text) != nil || YAMLScalar.isFloat(text) { return "a number" }
            if YAMLScalar.bool(text) != nil { return "a boolean" }
            return "a string"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// `~`, `null` or nothing, written plain.
    public var isNull: Bool {
        guard isPlainScalar, let text = scalarText else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    public var isSequence: Bool { node.kind == .sequence }

    public var isMapping: Bool { node.kind == .mapping }

    /// The children of a collection (a mapping's as key, value, key, value, …).
    private var childNodes: [ConfigNode] {
        let node = self.node
        guard node.kind != .scalar else { return [] }
        return (0..<Int(node.count)).map {
            ConfigNode(document: document, index: document.child(of: index, at: $0))
        }
    }

    /// The value with its formatting gone: mapping keys sorted, every scalar quoted. Two nodes that
    /// mean the same have the same text (comments, order of keys and quoting aside).
    var canonicalText: String {
        switch node.kind {
        case .scalar:
            // Escaped by hand: Foundation's replacingOccurrences goes through NSString at every start.
            var quoted = "\""
            for scalar in (scalarText ?? "").unicodeScalars {
                if scalar == "\\" || scalar == "\"" { quoted.unicodeScalars.append("\\") }
                quoted.unicodeScalars.append(scalar)
            }
            return quoted + "\""
        case .sequence:
            return "[" + childNodes.map(\.canonicalText).joined(separator: ",") + "]"
        case .mapping:
            return canonicalText(excluding: [])
        }
    }

    /// `canonicalText` of a mapping without the given keys (at its own level only).
    func canonicalText(excluding keys: Set<String>) -> String {
        guard node.kind == .mapping else { return canonicalText }
        let children = childNodes
        var pairs: [(String, String)] = []
        for index in stride(from: 0, to: children.count - 1, by: 2) {
            if let key = children[index].scalarText, keys.contains(key) { continue }
            pairs.append((children[index].canonicalText, children[index + 1].canonicalText))
        }
        return "{" + pairs.sorted { $0.0 < $1.0 }.map { $0.0 + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    // MARK: - Typed readers

    /// Key-value pairs in file order; reports and returns nil when this is not a mapping.
    /// (Keys written twice are reported once for the whole document, when it is read.)
    public func mapping(expected: String = "a mapping") -> [(key: String, keyNode: ConfigNode, value: ConfigNode)]? {
        let node = self.node
        guard node.kind == .mapping else {
            report("expected \(expected), got \(kindName)")
            return nil
        }
        var pairs: [(key: String, keyNode: ConfigNode, value: ConfigNode)] = []
        pairs.reserveCapacity(Int(node.count) / 2)
        for position in stride(from: 0, to: Int(node.count), by: 2) {
            let keyNode = ConfigNode(document: document, index: document.child(of: index, at: position))
            let value = ConfigNode(document: document, index: document.child(of: index, at: position + 1))
            guard let key = keyNode.scalarText else {
                keyNode.report("keys must be plain strings, got \(keyNode.kindName)")
                continue
            }
            pairs.append((key, keyNode, value))
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
        guard node.kind == .sequence else {
            report("expected \(expected), got \(kindName)")
            return nil
        }
        return childNodes
    }

    /// A scalar as text (numbers and booleans too, as written).
    public func string(expected: String = "a string") -> String? {
        guard let text = scalarText, !isNull else {
            report("expected \(expected), got \(kindName)")
            return nil
        }
        return text
    }

    /// A string, or a list of strings.
    public func strings(expected: String = "a string or a list of strings") -> [String]? {
        if isSequence {
            guard let elements = sequence(expected: expected) else { return nil }
            let values = elements.compactMap { $0.string(expected: "a string") }
            return values.count == elements.count ? values : nil
        }
        return string(expected: expected).map { [$0] }
    }

    public func bool() -> Bool? {
        guard isPlainScalar, let text = scalarText, let bool = YAMLScalar.bool(text) else {
            report("expected true or false, got \(kindName)\(scalarSuffix)")
            return nil
        }
        return bool
    }

    public func integer(in range: ClosedRange<Int>) -> Int? {
        guard isPlainScalar, let text = scalarText, let int = YAMLScalar.integer(text) else {
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
        guard let text = scalarText, !isNull, let seconds = parseDuration(text), seconds > 0 else {
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
        switch (type, node.kind) {
        case (.string, .scalar):
            if scalarText?.contains("${{") == true {
                report("`\(keyPath)` takes a fixed value; `${{ … }}` is not expanded here")
            }
        case (.list(let element), .sequence):
            for child in childNodes { child.reportVariablesInFixedValues(element) }
        case (.map(let element), .mapping):
            for (_, _, value) in mapping() ?? [] { value.reportVariablesInFixedValues(element) }
        case (.object(let parameters), .mapping), (.probe(let parameters), .mapping):
            for (name, _, value) in mapping() ?? [] {
                guard let parameter = parameters.first(where: { $0.name == name }) else { continue }
                value.reportVariablesInFixedValues(parameter.type)
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
        let style = node.style
        if let base = location, node.kind == .scalar,
            style == .plain || style == .singleQuoted || style == .doubleQuoted, !text.contains("\n")
        {
            let quote = style == .plain ? 0 : 1
            location = SourceLocation(file: base.file, line: base.line, column: base.column + quote + offset)
        }
        document.sink.report("\(message) in `\(text)`", location: location, keyPath: keyPath)
    }

    private var scalarSuffix: String {
        if let text = scalarText, !isNull { return " `\(text.prefix(60))`" }
        return ""
    }
}

/// Caps the nodes a load may hold (aliases written out), so alias bombs ("billion laughs") end in a clean error.
/// The limit grows with the bytes loaded (a node written out takes at least one), so a large
/// configuration loads while an alias bomb, a few bytes that expand without end, is still stopped.
final class NodeBudget {
    static let minimum = 200_000
    private(set) var bytes = 0
    private var spent = 0

    var limit: Int { max(Self.minimum, bytes) }

    func allow(bytes count: Int) { bytes += count }

    func spend() -> Bool {
        spent += 1
        return spent <= limit
    }
}
