/// The type of a configuration parameter, for validation messages, the JSON Schema and the docs.
public indirect enum ParameterType: Sendable {
    case string
    /// A string that may hold `${{ env.NAME }}` / `${{ vars.NAME }}`.
    case template
    case integer
    case number
    /// Bytes, as a number or with a unit: 4096, 64KiB, 4MB.
    case size
    case boolean
    case duration
    case expression
    case list(ParameterType)
    case map(ParameterType)
    case object([Parameter])
    case oneOf([ParameterType])
    /// A mapping holding one probe (a kind key such as `http:`) and these keys of its holder.
    case probe([Parameter])
}

public struct Parameter: Sendable {
    public let name: String
    public let type: ParameterType
    public let summary: String
    public let required: Bool

    public init(_ name: String, _ type: ParameterType, _ summary: String, required: Bool = false) {
        self.name = name
        self.type = type
        self.summary = summary
        self.required = required
    }
}

public struct FactDescription: Sendable {
    public let name: String
    public let type: String
    public let summary: String

    public init(_ name: String, _ type: String, _ summary: String) {
        self.name = name
        self.type = type
        self.summary = summary
    }
}

/// A documented example: an item's YAML, the outcome it must reach and facts it must produce.
/// Tests run every example, so the documentation cannot drift from the behaviour.
public struct KindExample: Sendable {
    public let title: String
    public let yaml: String
    public let outcome: Outcome
    public let facts: Facts
    /// Files the example needs, written into its working directory first (path → content).
    public let files: [String: String]
    /// A shell script run in that directory after the files are written (e.g. `git init`).
    public let setup: String?
    /// Earlier runs the example's run sees (`recorded:`), and the commit it checks.
    public let history: [RecordedResult]
    public let commit: String?

    public init(
        _ title: String, yaml: String, outcome: Outcome, facts: Facts = [:], files: [String: String] = [:],
        setup: String? = nil, history: [RecordedResult] = [], commit: String? = nil
    ) {
        self.history = history
        self.commit = commit
        self.title = title
        self.yaml = yaml
        self.outcome = outcome
        self.facts = facts
        self.files = files
        self.setup = setup
    }
}

/// What the loader hands a kind: the item's fields and the variables it may reference.
public struct KindReader {
    public let fields: [String: ConfigNode]
    public let item: ConfigNode
    public let knownVariables: Set<String>
    /// The kinds the loader knows, for kinds that hold other probes (`wait-for:`, `probes:`).
    let kinds: [KindDescription]

    public subscript(_ name: String) -> ConfigNode? { fields[name] }

    /// Reads a mapping holding exactly one other kind's key (with its item-level parameters) plus `extra`
    /// keys of the holder; returns that kind's check and the mapping's fields.
    public func nested(_ node: ConfigNode, _ extra: [String]) -> (check: any Check, fields: [String: ConfigNode])? {
        // Kinds that hold probes hold plain ones: no waits inside waits, no groups inside groups.
        let inner = kinds.filter { !["wait-for", "probes"].contains($0.key) }
        let allowed = Array(Set(inner.flatMap { $0.parameters.map(\.name) } + extra)).sorted()
        guard let fields = node.fields(allowed: allowed, expected: "a mapping with one probe, such as http: { url: … }")
        else { return nil }
        let present = inner.filter { fields[$0.key] != nil }
        guard present.count == 1, let kind = present.first else {
            node.report(
                present.isEmpty
                    ? "name the probe to repeat, e.g. `http: { url: … }`"
                    : "one probe at a time; found " + present.map { "`\($0.key)`" }.joined(separator: " and "))
            return nil
        }
        let reader = KindReader(fields: fields, item: node, knownVariables: knownVariables, kinds: kinds)
        return kind.make(reader).map { ($0, fields) }
    }
}

/// A kind of check or action: its configuration key, parameters, facts and examples,
/// and how it turns configuration into a runnable `Check`.
public struct KindDescription: Sendable {
    /// The item key that selects this kind (`run`, `http`, …).
    public let key: String
    public let name: String
    public let summary: String
    /// Item-level keys the kind reads, including `key` itself.
    public let parameters: [Parameter]
    public let facts: [FactDescription]
    public let examples: [KindExample]
    /// Reads the parameters; reports problems through the nodes and returns nil when any.
    public let make: @Sendable (KindReader) -> (any Check)?

    public init(
        key: String, name: String, summary: String, parameters: [Parameter], facts: [FactDescription],
        examples: [KindExample], make: @escaping @Sendable (KindReader) -> (any Check)?
    ) {
        self.key = key
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.facts = facts
        self.examples = examples
        self.make = make
    }
}
