import Foundation

extension LoadState {
    /// Reads the items of every file, then checks what needs the whole checklist: ids, needs, cycles.
    func finish(file: String) -> Checklist? {
        if !sawVersion, sink.diagnostics.isEmpty {
            sink.report(
                "missing `version: 1` at the top of the file", location: SourceLocation(file: file, line: 1, column: 1),
                keyPath: "")
        }
        let knownVariables = Set(variables.keys).union(environments.values.flatMap(\.variables.keys))
        var phases: [PhaseName: [Section]] = [:]
        var idNodes: [String: ConfigNode] = [:]
        var derivedCounts: [String: Int] = [:]
        var needsNodes: [String: ConfigNode] = [:]
        // What the checks over the whole checklist need, gathered here: copying every item out
        // again costs more than reading them.
        var phaseOf: [String: PhaseName] = [:]
        var ids: [String] = []
        var withNeeds: [Item] = []

        for (phase, title, itemNodes) in pendingSections {
            var items: [Item] = []
            for node in itemNodes {
                guard var item = readItem(node, phase: phase, section: title, knownVariables: knownVariables) else {
                    continue
                }
                if let idNode = item.explicitIDNode {
                    if let first = idNodes[item.item.id] {
                        idNode.report(
                            "duplicate id `\(item.item.id)`; it is first used at \(first.location?.description ?? first.keyPath)"
                        )
                        continue
                    }
                    idNodes[item.item.id] = idNode
                } else {
                    // Derived from the title: repeated titles get -2, -3, … rather than an error.
                    let base = item.item.id
                    var candidate = base
                    while idNodes[candidate] != nil {
                        let count = derivedCounts[base, default: 1] + 1
                        derivedCounts[base] = count
                        candidate = "\(base)-\(count)"
                    }
                    item.item = item.item.with(id: candidate)
                    idNodes[candidate] = node
                }
                if let needs = item.needsNode { needsNodes[item.item.id] = needs }
                if phaseOf[item.item.id] == nil { phaseOf[item.item.id] = item.item.phase }
                ids.append(item.item.id)
                if !item.item.needs.isEmpty { withNeeds.append(item.item) }
                items.append(item.item)
            }
            // Mutated in place (`default:`): a copy taken out would copy every item of the section.
            if let index = phases[phase, default: []].firstIndex(where: { $0.title == title }) {
                phases[phase, default: []][index].items += items
            } else {
                phases[phase, default: []].append(Section(title: title, items: items))
            }
        }

        for item in withNeeds {
            guard let node = needsNodes[item.id] else { continue }
            for need in item.needs {
                if need == item.id {
                    node.report("`\(item.id)` needs itself")
                } else if let phase = phaseOf[need] {
                    if phase != item.phase {
                        node.report(
                            "`\(need)` is in phase \(phase.rawValue), but `\(item.id)` is in \(item.phase.rawValue); needs stay within a phase"
                        )
                    }
                } else {
                    let hint = Suggestions.closest(to: need, in: ids).map { "; did you mean `\($0)`?" } ?? ""
                    node.report("needs `\(need)`, which is not an item\(hint)")
                }
            }
        }
        // Only items that need something can be on a cycle.
        for cycle in Self.cycles(in: withNeeds) {
            let node = needsNodes[cycle[0]]
            let message = "needs form a cycle: \(cycle.joined(separator: " → ")) → \(cycle[0])"
            if let node { node.report(message) } else { sink.report(message, location: nil, keyPath: "") }
        }
        for (node, skipped) in skipNodes {
            for id in skipped where phaseOf[id] == nil {
                let hint = Suggestions.closest(to: id, in: ids).map { "; did you mean `\($0)`?" } ?? ""
                node.report("skips `\(id)`, which is not an item\(hint)")
            }
        }

        resolveTypeSelections(sections: phases)
        for (node, roleNames) in bypassNodes {
            for role in roleNames where self.roles[role] == nil {
                let hint =
                    Suggestions.closest(to: role, in: self.roles.keys.sorted()).map { "; did you mean `\($0)`?" } ?? ""
                node.report("`\(role)` is not a role declared under `roles:`\(hint)")
            }
        }
        let watchProbes = (phases[.watch] ?? []).flatMap(\.items).map(\.id)
        for trigger in triggers where trigger.isWatched {
            for probe in trigger.probes.sorted() where !watchProbes.contains(probe) {
                let hint =
                    watchProbes.isEmpty
                    ? "; the watch phase (`phases: watch:`) holds the probes a deploy samples"
                    : Suggestions.closest(to: probe, in: watchProbes).map { "; did you mean `\($0)`?" }
                        ?? "; the watch probes are \(watchProbes.joined(separator: ", "))"
                // A warning, not an error: an imported checklist names its triggers before anyone
                // wrote the probes; the watch leaves such a trigger unjudged and says so.
                warnings.append(
                    Diagnostic(
                        location: trigger.location, keyPath: "triggers",
                        message:
                            "trigger `\(trigger.title)` reads `\(probe)`, which is not a probe of the watch phase, so a deploy cannot judge it\(hint)"
                    ))
            }
        }
        let calendar = readCalendar()
        readDefaultAllowedSigners()
        guard sink.diagnostics.isEmpty else { return nil }
        let ordered = PhaseName.allCases.filter { phases[$0] != nil }
        var checklist = Checklist(
            project: project, store: store, file: file, variables: variables, secretNames: secretNames,
            environments: environments, deployTypes: deployTypes, roles: roles, triggers: triggers,
            phases: ordered.map { Phase(name: $0, sections: phases[$0] ?? []) }, warnings: warnings,
            calendar: calendar, timeZone: defaultTimeZone ?? TimeZone(identifier: "UTC") ?? .current)
        if let maxBypass { checklist.maxBypass = maxBypass }
        checklist.allowedSigners = allowedSigners
        checklist.oidc = oidc
        checklist.notify = notify
        checklist.deploymentLog = deploymentLog
        checklist.watch = watch
        checklist.freezeAfterRollbacks = freezeAfterRollbacks
        return checklist
    }

    /// Each elementary cycle once, starting at its first item in file order.
    static func cycles(in items: [Item]) -> [[String]] {
        let needs = Dictionary(items.map { ($0.id, $0.needs) }, uniquingKeysWith: { first, _ in first })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        var found: [[String]] = []
        func visit(_ id: String) {
            state[id] = 1
            stack.append(id)
            for next in needs[id] ?? [] where needs[next] != nil && next != id {
                if state[next] == 1, let start = stack.firstIndex(of: next) {
                    found.append(Array(stack[start...]))
                } else if state[next] == nil {
                    visit(next)
                }
            }
            stack.removeLast()
            state[id] = 2
        }
        for item in items where state[item.id] == nil { visit(item.id) }
        return found
    }

    struct ReadItem {
        var item: Item
        var explicitIDNode: ConfigNode?
        var needsNode: ConfigNode?
    }

    static let whenFacts = ["env", "type", "phase"]

    /// Whether the item has an unknown key close to a kind's (`rn:` for `run:`): the unknown-key report
    /// with its "did you mean" already says what is wrong, so the long "nothing to run" is not added.
    func misspelledKind(_ node: ConfigNode, kinds: [String]) -> Bool {
        guard node.isMapping else { return false }
        return (node.mapping() ?? []).contains { name, _, _ in
            guard !kinds.contains(name) else { return false }
            return Suggestions.closest(to: name, in: kinds) != nil
        }
    }

    func readItem(_ node: ConfigNode, phase: PhaseName, section: String, knownVariables: Set<String>) -> ReadItem? {
        let before = sink.diagnostics.count
        guard
            let fields = node.fields(
                allowed: itemKeys, allowedSet: itemKeySet,
                expected: "an item (a mapping with `title:` and `run:` or `manual: true`)")
        else {
            return nil
        }
        let title = fields["title"]?.string()
        var id = fields["id"]?.string()
        if let idNode = fields["id"], let given = id, !Self.isValidID(given) {
            idNode.report("`\(given)` is not a valid id; use letters, digits, `-`, `_` and `.`")
            id = nil
        }
        if fields["id"] == nil, title == nil {
            node.report("an item needs a `title:` (or an `id:`)")
        }
        let derived = id ?? Self.slug(title ?? "item")
        let manual = fields["manual"]?.bool() ?? false
        let presentKinds = kinds.indices.filter { fields[kinds[$0].key] != nil }.map { kinds[$0] }

        var body: Item.Body?
        if manual {
            if let kind = presentKinds.first {
                fields[kind.key]?.report("a manual item does not run anything; remove `\(kind.key)` or `manual: true`")
            }
            body = .manual(readSignoffs(fields["signoffs"]))
        } else if presentKinds.count > 1 {
            fields[presentKinds[1].key]?.report(
                "an item has one kind; found \(presentKinds.map { "`\($0.key)`" }.joined(separator: " and "))")
        } else if let kind = presentKinds.first {
            // Parameters of other kinds do not belong here (each field of the item asks once).
            let own = kindParameters[kind.key] ?? []
            for name in fields.keys.sorted() where !own.contains(name) && !ConfigLoader.commonItemKeys.contains(name) {
                if let field = fields[name],
                    let other = kinds.first(where: {
                        $0.key != kind.key && kindParameters[$0.key]?.contains(name) == true
                    })
                {
                    field.report("`\(name)` belongs to `\(other.key):` items, not `\(kind.key):`")
                }
            }
            for parameter in kind.parameters { fields[parameter.name]?.reportVariablesInFixedValues(parameter.type) }
            let reader = KindReader(fields: fields, item: node, knownVariables: knownVariables, kinds: kinds)
            if let check = kind.make(reader) { body = .check(kind: kind.key, check) }
            fields["signoffs"]?.report("`signoffs` applies to manual items only")
        } else if !misspelledKind(node, kinds: kinds.map(\.key)) {
            let keys = (kinds.map { "`\($0.key):`" } + ["`manual: true`"]).joined(separator: ", ")
            node.report("item `\(derived)` has nothing to run; expected one of \(keys)")
        }

        var needs: [String] = []
        if let needsNode = fields["needs"] { needs = needsNode.strings(expected: "an item id or a list of ids") ?? [] }
        var when: FactExpression?
        if let whenNode = fields["when"], let expression = whenNode.expression() {
            for path in expression.factPaths where !Self.whenFacts.contains(path) && !path.hasPrefix("vars.") {
                let hint =
                    Suggestions.closest(to: path, in: Self.whenFacts).map { "did you mean `\($0)`?" }
                    ?? "a condition may read env, type, phase and vars.NAME"
                whenNode.report("`when` reads `\(path)`, which is not known before the item runs; \(hint)")
            }
            when = expression
        }
        var expectations: [FactExpression] = []
        if let expect = fields["expect"] {
            if manual { expect.report("a manual item has no facts to expect; remove `expect`") }
            if expect.isSequence {
                expectations = (expect.sequence(expected: "an expression or a list of expressions") ?? []).compactMap {
                    $0.expression()
                }
            } else if let expression = expect.expression() {
                expectations = [expression]
            }
        }
        var severity = Severity.block
        if let severityNode = fields["severity"], let text = severityNode.string() {
            if let value = Severity(rawValue: text) {
                severity = value
            } else {
                severityNode.report("expected `block` or `warn`, got `\(text)`")
            }
        }
        let rollback = fields["rollback"].flatMap { $0.template(knownVars: knownVariables) }
        let isAction = fields["action"]?.bool() ?? false
        if isAction, manual { fields["action"]?.report("a manual item is not an action; remove `action` or `manual`") }
        let idempotent = fields["idempotent"]?.bool()
        if idempotent != nil, !isAction, let node = fields["idempotent"] {
            node.report(
                "`idempotent` says whether an action may run twice; this item is not an action (`action: true`)")
        }
        let source = fields["source"]?.string()
        var inputs: ItemInputs?
        if let inputsNode = fields["inputs"],
            let inputFields = inputsNode.fields(
                allowed: ["paths", "env", "commands"], expected: "a mapping with `paths:`, `env:` or `commands:`")
        {
            let read = ItemInputs(
                paths: inputFields["paths"]?.strings() ?? [], environment: inputFields["env"]?.strings() ?? [],
                commands: inputFields["commands"]?.strings() ?? [])
            if read.paths.isEmpty, read.environment.isEmpty, read.commands.isEmpty {
                inputsNode.report("declares no inputs; list `paths:`, `env:` or `commands:`, or remove `inputs`")
            }
            inputs = read
        }
        let reuseTTL = fields["reuse-ttl"]?.duration()
        let reuse = fields["reuse"]?.bool()
        if manual, let node = fields["inputs"] ?? fields["reuse"] ?? fields["reuse-ttl"] {
            node.report("a manual item is decided by sign-offs, which are never reused; remove it")
        } else if reuse == true, inputs == nil, let node = fields["reuse"] {
            node.report("`reuse: true` needs `inputs:` (what the result depends on)")
        } else if reuseTTL != nil, inputs == nil, let node = fields["reuse-ttl"] {
            node.report("`reuse-ttl` applies to items with `inputs:`")
        }
        let timeout = fields["timeout"]?.duration() ?? defaults.timeout
        let retries = fields["retries"]?.integer(in: 0...100) ?? defaults.retries
        let retryDelay = fields["retry-delay"]?.duration() ?? defaults.retryDelay

        // An item with problems is still returned, so that ids, needs and cycles are checked in
        // the same pass; the checklist is discarded when any problem was reported.
        let hadProblems = sink.diagnostics.count != before
        if body == nil && !hadProblems { return nil }
        var item = Item(
            id: derived, title: title ?? derived, description: fields["description"]?.string(), phase: phase,
            section: section, body: body ?? .manual(SignoffRequirement()), needs: needs, when: when, timeout: timeout,
            retries: retries,
            retryDelay: retryDelay, severity: severity, expectations: expectations, rollback: rollback,
            isAction: isAction, source: source, location: node.location)
        item.inputs = inputs
        item.reuseTTL = reuseTTL
        item.reuse = reuse
        item.isIdempotent = idempotent ?? false
        if inputs != nil { item.definition = node.canonicalText }
        if !isAction, !manual, body != nil {
            // With the limits it runs under, which may come from the checklist's defaults.
            item.checkKey =
                node.canonicalText(excluding: Item.judgementFields) + "|\(timeout)|\(retries)|\(retryDelay)"
        }
        return ReadItem(item: item, explicitIDNode: id != nil ? fields["id"] : nil, needsNode: fields["needs"])
    }

    func readSignoffs(_ node: ConfigNode?) -> SignoffRequirement {
        guard let node,
            let fields = node.fields(allowed: ["count", "distinct", "role", "expires", "not", "carry", "any-of"])
        else {
            return SignoffRequirement()
        }
        var requirement = SignoffRequirement()
        if let anyOf = fields["any-of"] {
            if let plain = ["count", "distinct", "role"].compactMap({ fields[$0] }).first {
                plain.report(
                    "`any-of:` lists every way to sign this item off; put `count`, `distinct` and `role` inside its entries"
                )
            }
            if let entries = anyOf.sequence(expected: "a list of { count, role, distinct } groups") {
                if entries.isEmpty {
                    anyOf.report("`any-of:` needs at least one group, e.g. `- { count: 2, role: engineer }`")
                }
                requirement.groups = entries.compactMap { entry in
                    entry.fields(allowed: ["count", "distinct", "role"]).map(readSignoffGroup)
                }
            }
        } else {
            requirement.groups = [readSignoffGroup(fields)]
        }
        if let expires = fields["expires"]?.duration() { requirement.expires = expires }
        if let notNode = fields["not"], let excluded = notNode.strings(expected: "deployer, author, or both") {
            for name in excluded where !SignoffRequirement.excludable.contains(name) {
                notNode.report("`\(name)` is not someone a sign-off can exclude; expected deployer or author")
            }
            requirement.not = excluded.filter(SignoffRequirement.excludable.contains)
        }
        if let carryNode = fields["carry"], let carry = carryNode.string() {
            if let value = SignoffRequirement.Carry(rawValue: carry) {
                requirement.carry = value
            } else {
                carryNode.report(
                    "`\(carry)` is not a carry rule; expected `same-commit` (a sign-off for the commit in any environment counts) or `environment` (the default)"
                )
            }
        }
        return requirement
    }

    /// One group of a sign-off rule: `count`, `distinct`, `role`.
    func readSignoffGroup(_ fields: [String: ConfigNode]) -> SignoffGroup {
        var group = SignoffGroup()
        if let count = fields["count"]?.integer(in: 1...100) { group.count = count }
        if let distinct = fields["distinct"]?.bool() { group.distinct = distinct }
        if let roleNode = fields["role"], let role = roleNode.string() {
            if roles[role] == nil {
                let hint =
                    Suggestions.closest(to: role, in: Array(roles.keys)).map { "; did you mean `\($0)`?" }
                    ?? "; declare it under `roles:`"
                roleNode.report("unknown role `\(role)`\(hint)")
            }
            group.role = role
            // A rule nobody can satisfy: more distinct signers than the role has people.
            if let members = roles[role], group.distinct, !members.isEmpty, members.count < group.count {
                (fields["count"] ?? roleNode).report(
                    "needs \(group.count) distinct sign-offs from `\(role)`, which has \(members.count) \(members.count == 1 ? "person" : "people"): it can never be satisfied"
                )
            }
        }
        return group
    }

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.allSatisfy { $0.isIdentifierPart || $0 == "." }
    }

    /// `All tests passing` → `all-tests-passing`.
    static func slug(_ title: String) -> String {
        var slug = ""
        for scalar in title.lowercased().unicodeScalars {
            if scalar.isLetter || scalar.isDigit {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
            if slug.count >= 48 { break }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "item" : slug
    }
}

extension Item {
    func with(id: String) -> Item {
        var item = Item(
            id: id, title: title, description: description, phase: phase, section: section, body: body,
            needs: needs, when: when, timeout: timeout, retries: retries, retryDelay: retryDelay,
            severity: severity, expectations: expectations, rollback: rollback, isAction: isAction, source: source,
            location: location)
        item.inputs = inputs
        item.reuseTTL = reuseTTL
        item.reuse = reuse
        item.isIdempotent = isIdempotent
        item.definition = definition
        return item
    }
}

extension LoadState {
    /// `.shipcheck/allowed_signers` beside the configuration when `allowed-signers:` names none; an
    /// environment that counts only signed decisions needs one or the other.
    func readDefaultAllowedSigners() {
        if allowedSigners == nil, let rootDirectory {
            let url = rootDirectory.appendingPathComponent(".shipcheck/allowed_signers")
            if FileManager.default.fileExists(atPath: url.path) {
                do {
                    allowedSigners = try AllowedSigners(contentsOf: url)
                } catch {
                    sink.report("allowed signers: \(error)", location: nil, keyPath: "allowed-signers")
                }
            }
        }
        guard allowedSigners == nil else { return }
        for node in signedIdentityNodes {
            node.report(
                "only signed decisions count here, but no allowed_signers file says whose keys sign: name one with `allowed-signers:` or create .shipcheck/allowed_signers"
            )
        }
    }
}
