public import Foundation

/// Loads `shipcheck.yml` (and its includes) into a `Checklist`, reporting every problem at once.
public struct ConfigLoader: Sendable {
    public let kinds: [KindDescription]
    public static let maximumFileSize = 4 * 1_048_576
    public static let defaultTimeout: Double = 600

    public init(kinds: [KindDescription]) {
        self.kinds = kinds
    }

    static let topLevelKeys = ConfigSchema.topLevelParameters.map(\.name)
    static let commonItemKeys = ConfigSchema.commonItemParameters.map(\.name)

    /// Finds `shipcheck.yml` (or `.yaml`) in `directory` or the nearest parent.
    public static func discover(from directory: URL) -> URL? {
        var current = directory.standardizedFileURL
        while true {
            for name in ["shipcheck.yml", "shipcheck.yaml"] {
                let candidate = current.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    public func load(file url: URL) throws(ConfigurationError) -> Checklist {
        let state = LoadState(kinds: kinds)
        let display = Self.displayPath(url)
        state.loadFile(url: url, display: display, includedFrom: nil)
        return try conclude(state, file: display)
    }

    /// Loads from text, for tests and for `validate` on standard input.
    public func load(
        yaml: String, file: String = "shipcheck.yml",
        baseDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    )
        throws(ConfigurationError) -> Checklist
    {
        let state = LoadState(kinds: kinds)
        state.loadText(yaml, display: file, directory: baseDirectory)
        return try conclude(state, file: file)
    }

    /// The checklist, or every problem the load reported, in file order.
    private func conclude(_ state: LoadState, file: String) throws(ConfigurationError) -> Checklist {
        let checklist = state.finish(file: file)
        let diagnostics = state.sink.sorted
        guard diagnostics.isEmpty, let checklist else {
            throw ConfigurationError(
                diagnostics.isEmpty
                    ? [Diagnostic(location: nil, keyPath: "", message: "the configuration could not be read")]
                    : diagnostics)
        }
        return checklist
    }

    static func displayPath(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }
}

/// Mutable state of one load: the sink, the budget and what the files declared so far.
final class LoadState {
    let kinds: [KindDescription]
    let sink = DiagnosticSink()
    let budget = NodeBudget()
    var project: String?
    var store: String?
    var maxBypass: Double?
    var variables: [String: String] = [:]
    var secretNames: [String] = []
    var environments: [String: EnvironmentConfig] = [:]
    var deployTypes: [String: DeployType] = [:]
    var roles: [String: [String]] = [:]
    /// Things that load but cannot work as written (a role with nobody in it); errors under `--strict`.
    var warnings: [Diagnostic] = []
    var defaults = (timeout: ConfigLoader.defaultTimeout, retries: 0, retryDelay: 5.0)
    var loading: [String] = []
    /// Item nodes are read after all files, so that every `vars:` is known first.
    var pendingSections: [(phase: PhaseName, title: String, items: [ConfigNode])] = []
    var phaseOrder: [PhaseName] = []
    var sawVersion = false

    /// What an item may hold, worked out once: tens of thousands of items ask.
    let itemKeys: [String]
    let itemKeySet: Set<String>
    /// Each kind's parameters that are not common item keys, by the kind's key.
    let kindParameters: [String: Set<String>]

    init(kinds: [KindDescription]) {
        self.kinds = kinds
        let kindKeys = kinds.flatMap { $0.parameters.map(\.name) }
        var keys = ConfigLoader.commonItemKeys
        for key in kindKeys where !keys.contains(key) { keys.append(key) }
        itemKeys = keys
        itemKeySet = Set(keys)
        var parameters: [String: Set<String>] = [:]
        for kind in kinds {
            parameters[kind.key] = Set(kind.parameters.map(\.name)).subtracting(ConfigLoader.commonItemKeys)
        }
        kindParameters = parameters
    }

    func loadFile(url: URL, display: String, includedFrom: ConfigNode?) {
        let path = url.standardizedFileURL.path
        func fail(_ message: String) {
            if let includedFrom {
                includedFrom.report(message)
            } else {
                sink.report(message, location: nil, keyPath: "")
            }
        }
        if loading.contains(path) {
            fail(
                "`\(display)` includes itself (\((loading + [path]).map { ConfigLoader.displayPath(URL(fileURLWithPath: $0)) }.joined(separator: " → ")))"
            )
            return
        }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            fail("cannot read `\(display)`: no such file")
            return
        }
        if (attributes[.type] as? FileAttributeType) == .typeDirectory {
            fail("`\(display)` is a directory; expected a YAML file")
            return
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= ConfigLoader.maximumFileSize else {
            fail(
                "`\(display)` is \(size / 1_048_576) MiB; a configuration may be at most \(ConfigLoader.maximumFileSize / 1_048_576) MiB"
            )
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            fail("cannot read `\(display)`")
            return
        }
        guard !data.withUnsafeBytes({ bytes in bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false })
        else {
            fail("`\(display)` looks like a binary file (it contains NUL bytes); expected YAML text")
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            fail("`\(display)` is not UTF-8 text; expected YAML")
            return
        }
        loading.append(path)
        loadText(text, display: display, directory: url.deletingLastPathComponent())
        loading.removeLast()
    }

    func loadText(_ text: String, display: String, directory: URL) {
        // Every node of a document written out takes at least a byte of it: more nodes than that
        // can only come from aliases repeating parts of it.
        budget.allow(bytes: text.utf8.count)
        let document: YAMLDocument
        do {
            document = try YAMLDocument.read(text, file: display, budget: budget, sink: sink)
        } catch {
            sink.report(
                error.message, location: SourceLocation(file: display, line: error.line, column: error.column),
                keyPath: "")
            return
        }
        for (second, first) in document.duplicateKeys {
            let key = ConfigNode(document: document, index: second)
            let earlier = ConfigNode(document: document, index: first).location.map { " (first at line \($0.line))" }
            key.report("duplicate key `\(key.scalarText ?? "?")`: it appears twice in this mapping\(earlier ?? "")")
        }
        guard document.root >= 0 else {
            sink.report(
                "`\(display)` is empty; expected a mapping with `version: 1` and `phases:`",
                location: SourceLocation(file: display, line: 1, column: 1), keyPath: "")
            return
        }
        readTopLevel(
            ConfigNode(document: document, index: document.root), directory: directory, isRoot: loading.count <= 1)
    }

    // MARK: - Top level

    func readTopLevel(_ node: ConfigNode, directory: URL, isRoot: Bool) {
        guard
            let fields = node.fields(
                allowed: ConfigLoader.topLevelKeys,
                expected: "a mapping with `version: 1` and `phases:`")
        else { return }
        if let version = fields["version"] {
            sawVersion = true
            if let value = version.integer(in: 1...Int.max), value != 1 {
                version.report("this Shipcheck reads configuration version 1, not \(value)")
            }
        }
        if let project = fields["project"] { self.project = project.string() }
        if let store = fields["store"], let location = store.string() {
            let scheme = location.firstIndex(of: ":").map { location[..<$0] }
                .flatMap { $0.isLetterLedName(others: "+.-", minimumRest: 1) ? $0.lowercased() : nil }
            if location.contains("://"), let components = URLComponents(string: location), components.password != nil {
                store.report(
                    "the store URL holds a password, which would be kept in this file; leave it out and set SHIPCHECK_STORE_PASSWORD (or PGPASSWORD) where shipcheck runs"
                )
            } else if let scheme, !["postgres", "postgresql", "sqlite"].contains(scheme) {
                store.report(
                    "`\(scheme):` is not a store shipcheck knows; expected postgres://USER@HOST:PORT/DATABASE, sqlite:PATH or a file path"
                )
            } else {
                self.store = location
            }
        }
        if let limit = fields["max-bypass"], let seconds = limit.duration() { maxBypass = seconds }
        if isRoot { rootDirectory = directory }
        if let node = fields["oidc"], let settings = node.fields(allowed: ["issuer", "audience"]) {
            oidc = OIDCSettings(issuer: settings["issuer"]?.string(), audience: settings["audience"]?.string())
        }
        if let signers = fields["allowed-signers"], let path = signers.string(expected: "a file path") {
            let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
            do {
                allowedSigners = try AllowedSigners(contentsOf: url)
            } catch {
                signers.report("allowed signers: \(error)")
            }
        }
        if let vars = fields["vars"] { readVariables(vars, into: &variables) }
        if let secrets = fields["secrets"] { secretNames += secrets.strings() ?? [] }
        if let roles = fields["roles"] { readRoles(roles) }
        if let defaults = fields["defaults"] { readDefaults(defaults) }
        if let environments = fields["environments"] { readEnvironments(environments) }
        if let types = fields["types"] { readTypes(types) }
        if let triggers = fields["triggers"] { readTriggers(triggers) }
        if let watch = fields["watch"] { readWatch(watch) }
        if let notify = fields["notify"] { readNotify(notify) }
        if let log = fields["deployment-log"], let path = log.string(expected: "a file path") {
            if path.trimmingCharacters(in: .whitespaces).isEmpty {
                log.report("expected a file path, such as docs/DEPLOYMENTS.md")
            } else {
                deploymentLog = path
            }
        }
        if let zone = fields["timezone"] { defaultTimeZone = readTimeZone(zone) ?? defaultTimeZone }
        if let windows = fields["windows"] { pendingWindows += windows.sequence(expected: "a list of windows") ?? [] }
        if let freezes = fields["freezes"] { pendingFreezes += freezes.sequence(expected: "a list of freezes") ?? [] }
        if let include = fields["include"], let files = include.strings(expected: "a file path or a list of paths") {
            for file in files {
                let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : directory.appendingPathComponent(file)
                loadFile(url: url, display: ConfigLoader.displayPath(url), includedFrom: include)
            }
        }
        if let phases = fields["phases"] {
            readPhases(phases)
        } else if isRoot, !(fields["include"] != nil) {
            node.report(
                "missing `phases:`; expected at least one of \(PhaseName.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    func readVariables(_ node: ConfigNode, into variables: inout [String: String]) {
        for (key, keyNode, value) in node.mapping(expected: "a mapping of variable names to values") ?? [] {
            guard key.unicodeScalars.allSatisfy({ $0.isIdentifierPart }) else {
                keyNode.report("`\(key)` is not a valid variable name; use letters, digits, _ and -")
                continue
            }
            guard let text = value.string(expected: "a string value") else { continue }
            // A value may read the environment (`${{ env.BASE_URL }}`), not other variables.
            if text.contains("${{") {
                guard let template = try? Template.parse(text) else {
                    _ = value.template(knownVars: [])  // reports the syntax error with its column
                    continue
                }
                if let other = template.variableNames.first {
                    value.report(
                        "a variable may read the environment (`${{ env.NAME }}`), not another variable (`vars.\(other)`)"
                    )
                    continue
                }
            }
            variables[key] = text
        }
    }

    func readRoles(_ node: ConfigNode) {
        for (role, keyNode, people) in node.mapping(expected: "a mapping of role names to lists of people") ?? [] {
            let members = people.isNull ? [] : people.strings(expected: "a person or a list of people") ?? []
            roles[role] = members
            if members.isEmpty {
                warnings.append(
                    Diagnostic(
                        location: keyNode.location, keyPath: keyNode.keyPath,
                        message:
                            "role `\(role)` has nobody in it, so sign-offs that need it can never be given; name its people, e.g. [alice@example.com]"
                    ))
            }
        }
    }

    func readDefaults(_ node: ConfigNode) {
        guard let fields = node.fields(allowed: ["timeout", "retries", "retry-delay"]) else { return }
        if let timeout = fields["timeout"]?.duration() { defaults.timeout = timeout }
        if let retries = fields["retries"]?.integer(in: 0...100) { defaults.retries = retries }
        if let delay = fields["retry-delay"]?.duration() { defaults.retryDelay = delay }
    }

    func readEnvironments(_ node: ConfigNode) {
        for (name, _, value) in node.mapping(expected: "a mapping of environment names") ?? [] {
            var environment = environments[name] ?? EnvironmentConfig(name: name, variables: [:], skip: [])
            if !value.isNull,
                let fields = value.fields(allowed: ["description", "vars", "skip", "require", "bypass", "identity"])
            {
                if let identity = fields["identity"], let text = identity.string(expected: "`signed` or `claimed`") {
                    switch text {
                    case "signed":
                        environment.requireSigned = true
                        signedIdentityNodes.append(identity)
                    case "claimed": environment.requireSigned = false
                    default:
                        identity.report(
                            "expected `signed` (only decisions signed with a key allowed_signers lists count) or `claimed`, got `\(text)`"
                        )
                    }
                }
                if let bypass = fields["bypass"], let roleNames = bypass.strings(expected: "a role or a list of roles")
                {
                    environment.bypass = roleNames
                    bypassNodes.append((bypass, roleNames))
                }
                environment.description = fields["description"]?.string() ?? environment.description
                if let vars = fields["vars"] { readVariables(vars, into: &environment.variables) }
                if let require = fields["require"], let text = require.string(expected: "`all`") {
                    if text == "all" {
                        environment.requireAll = true
                    } else {
                        require.report("expected `all` (every item runs in this environment), got `\(text)`")
                    }
                }
                if let skip = fields["skip"] {
                    environment.skip += skip.strings() ?? []
                    skipNodes.append((skip, environment.skip))
                    if environment.requireAll {
                        skip.report("`\(name)` requires every item (`require: all`), so it cannot skip any")
                    }
                }
            }
            environments[name] = environment
        }
    }

    var skipNodes: [(ConfigNode, [String])] = []
    var signedIdentityNodes: [ConfigNode] = []
    var rootDirectory: URL?
    var allowedSigners: AllowedSigners?
    var oidc: OIDCSettings?
    var defaultTimeZone: TimeZone? = TimeZone(identifier: "UTC")
    var typeSelections: [(type: String, only: Bool, node: ConfigNode, entries: [String])] = []
    var bypassNodes: [(ConfigNode, [String])] = []
    var pendingWindows: [ConfigNode] = []
    var pendingFreezes: [ConfigNode] = []

    func readTypes(_ node: ConfigNode) {
        for (name, _, value) in node.mapping(expected: "a mapping of deploy type names") ?? [] {
            var type = DeployType(name: name)
            if !value.isNull, let fields = value.fields(allowed: ["description", "only", "skip"]) {
                type.description = fields["description"]?.string()
                // Items, sections and phases are known only after every file: resolved in `finish`.
                for key in ["only", "skip"] {
                    if let list = fields[key],
                        let entries = list.strings(expected: "item ids, section titles or phases")
                    {
                        typeSelections.append((name, key == "only", list, entries))
                    }
                }
            }
            deployTypes[name] = type
        }
    }

    /// Resolves each type's `only:` and `skip:` entries (item ids, section titles, phase names) to items.
    func resolveTypeSelections(sections: [PhaseName: [Section]]) {
        for (name, isOnly, node, entries) in typeSelections {
            var resolved = Set<String>()
            for entry in entries {
                if let phase = PhaseName(rawValue: entry) {
                    resolved.formUnion((sections[phase] ?? []).flatMap(\.items).map(\.id))
                } else if let section = sections.values.joined().first(where: { $0.title == entry }) {
                    resolved.formUnion(section.items.map(\.id))
                } else if sections.values.joined().contains(where: { $0.items.contains { $0.id == entry } }) {
                    resolved.insert(entry)
                } else {
                    let names =
                        sections.values.joined().flatMap { $0.items.map(\.id) } + sections.values.joined().map(\.title)
                    let hint = Suggestions.closest(to: entry, in: names).map { "; did you mean `\($0)`?" } ?? ""
                    node.report(
                        "type `\(name)` \(isOnly ? "runs only" : "skips") `\(entry)`, which is not an item, a section title or a phase\(hint)"
                    )
                }
            }
            if isOnly {
                deployTypes[name]?.only.formUnion(resolved)
                for (phase, phaseSections) in sections
                where phaseSections.contains(where: { $0.items.contains { resolved.contains($0.id) } }) {
                    deployTypes[name]?.onlyPhases.insert(phase)
                }
            } else {
                deployTypes[name]?.skip.formUnion(resolved)
            }
        }
    }

    var triggers: [RollbackTrigger] = []
    var watch = WatchSettings()
    var freezeAfterRollbacks = 3
    var notify: [NotifyTarget] = []
    var deploymentLog: String?

    func readNotify(_ node: ConfigNode) {
        for entry in node.sequence(expected: "a list of places to notify") ?? [] {
            guard let fields = entry.fields(allowed: ConfigSchema.notifyParameters.map(\.name)) else { continue }
            let formats = NotifyTarget.Format.allCases.filter { fields[$0.rawValue] != nil }
            guard formats.count == 1, let format = formats.first, let urlNode = fields[format.rawValue] else {
                entry.report("a notification names one of `slack:` or `webhook:`")
                continue
            }
            let known = Set(variables.keys)
            guard let url = urlNode.template(knownVars: known) else { continue }
            var secret: Template?
            if let secretNode = fields["secret"] {
                if format == .slack {
                    secretNode.report("a Slack webhook is not signed; `secret:` goes with `webhook:`")
                } else {
                    secret = secretNode.template(knownVars: known)
                }
            }
            var events: [String] = []
            if let onNode = fields["on"], let names = onNode.strings(expected: "a list of events") {
                for name in names where !NotifyTarget.events.contains(name) {
                    onNode.report(
                        "`\(name)` is not an event; \(Suggestions.hint(for: name, among: NotifyTarget.events))")
                }
                events = names.filter(NotifyTarget.events.contains)
            }
            notify.append(
                NotifyTarget(format: format, url: url, secret: secret, on: events, location: entry.location))
        }
    }

    func readTriggers(_ node: ConfigNode) {
        for entry in node.sequence(expected: "a list of triggers") ?? [] {
            guard let fields = entry.fields(allowed: ConfigSchema.triggerParameters.map(\.name)) else { continue }
            guard let title = fields["title"]?.string() else {
                if fields["title"] == nil { entry.report("a trigger needs a `title:`") }
                continue
            }
            let manual = fields["manual"]?.bool() ?? false
            let condition = fields["when"]?.expression()
            let aboveBaseline = fields["above-baseline"].flatMap(readAboveBaseline)
            let ways = [manual, fields["when"] != nil, fields["above-baseline"] != nil].filter { $0 }.count
            if ways != 1 {
                entry.report(
                    "a trigger has one of `when:` (a condition), `above-baseline:` (judged against the baseline) or `manual: true`, not \(ways == 0 ? "none" : "several")"
                )
            }
            var trigger = RollbackTrigger(
                title: title, priority: fields["priority"]?.string(), condition: condition,
                aboveBaseline: aboveBaseline, description: fields["description"]?.string(), location: entry.location)
            if let action = fields["action"].flatMap({ readAction($0) }) { trigger.action = action }
            if let otherwise = fields["otherwise"] {
                if let action = readAction(otherwise) {
                    if action == .ask {
                        otherwise.report("`otherwise:` is what happens when nobody can be asked: rollback or notify")
                    }
                    trigger.otherwise = action == .ask ? .rollback : action
                }
                if trigger.action != .ask { otherwise.report("`otherwise:` goes with `action: ask`") }
            }
            if manual, fields["action"] != nil {
                fields["action"]?.report("a manual trigger is judged by a person; it takes no `action:`")
            }
            triggers.append(trigger)
        }
    }

    func readAction(_ node: ConfigNode) -> RollbackTrigger.Action? {
        guard let text = node.string(expected: "rollback, notify or ask") else { return nil }
        guard let action = RollbackTrigger.Action(rawValue: text) else {
            let names = RollbackTrigger.Action.allCases.map(\.rawValue)
            node.report("`\(text)` is not an action; \(Suggestions.hint(for: text, among: names))")
            return nil
        }
        return action
    }

    func readAboveBaseline(_ node: ConfigNode) -> RollbackTrigger.AboveBaseline? {
        guard let fields = node.fields(allowed: ["fact", "by"]) else { return nil }
        guard let factNode = fields["fact"], let fact = factNode.string(expected: "a fact such as health.latency.p50")
        else {
            if fields["fact"] == nil {
                node.report("`above-baseline:` needs `fact:` (a watch probe's fact, such as health.latency.p50)")
            }
            return nil
        }
        if fact.split(separator: ".").count < 2 || fact.hasPrefix("baseline.") {
            factNode.report(
                "expected a watch probe's fact, such as health.latency.p50 (the probe's id, a dot, the fact)")
            return nil
        }
        guard let byNode = fields["by"] else {
            node.report("`above-baseline:` needs `by:`, such as 50%")
            return nil
        }
        guard let text = byNode.string(), let by = Self.percentage(text), by > 0, by <= 100 else {
            byNode.report("expected a growth such as 50% (above 0%, at most 10000%)")
            return nil
        }
        return RollbackTrigger.AboveBaseline(fact: fact, by: by)
    }

    /// `50%` → 0.5; a plain number is a fraction already.
    static func percentage(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            return Double(trimmed.dropLast().trimmingCharacters(in: .whitespaces)).map { $0 / 100 }
        }
        return Double(trimmed)
    }

    func readWatch(_ node: ConfigNode) {
        guard let fields = node.fields(allowed: ConfigSchema.watchParameters.map(\.name)) else { return }
        if let duration = fields["for"]?.duration() { watch.duration = duration }
        if let interval = fields["interval"]?.duration() {
            if interval < 0.1 {
                fields["interval"]?.report("expected an interval of at least 100ms")
            } else {
                watch.interval = interval
            }
        }
        if let count = fields["baseline"]?.integer(in: 1...1000) { watch.baselineSamples = count }
        if let count = fields["tolerate"]?.integer(in: 0...1000) { watch.tolerate = count }
        if let count = fields["min-samples"]?.integer(in: 1...1000) { watch.minimumSamples = count }
        if let confidenceNode = fields["confidence"], let text = confidenceNode.string() {
            if let value = Self.percentage(text), value > 0.5, value < 1 {
                watch.confidence = value
            } else {
                confidenceNode.report("expected a confidence between 50% and 100%, such as 95% or 0.99")
            }
        }
        if let count = fields["freeze-after"]?.integer(in: 1...100) { freezeAfterRollbacks = count }
    }

    func readPhases(_ node: ConfigNode) {
        let names = PhaseName.allCases.map(\.rawValue)
        for (key, keyNode, value) in node.mapping(expected: "a mapping of phases") ?? [] {
            guard let phase = PhaseName(rawValue: key) else {
                keyNode.report("unknown phase `\(key)`; \(Suggestions.hint(for: key, among: names))")
                continue
            }
            if !phaseOrder.contains(phase) { phaseOrder.append(phase) }
            guard let fields = value.fields(allowed: ["sections", "items"]) else { continue }
            if let items = fields["items"]?.sequence(expected: "a list of items") {
                pendingSections.append((phase, phase.rawValue, items))
            }
            for section in fields["sections"]?.sequence(expected: "a list of sections") ?? [] {
                guard let sectionFields = section.fields(allowed: ["title", "items"]) else { continue }
                let title = sectionFields["title"]?.string() ?? phase.rawValue
                guard let items = sectionFields["items"] else {
                    section.report("missing `items:`; a section lists the items it holds")
                    continue
                }
                pendingSections.append((phase, title, items.sequence(expected: "a list of items") ?? []))
            }
        }
    }
}
