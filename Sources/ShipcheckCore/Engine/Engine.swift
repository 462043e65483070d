public import Foundation

/// Runs one phase of a checklist as a DAG: independent items in parallel up to `jobs`,
/// dependants of an unsatisfied item skipped with the reason, timeouts, retries with backoff.
/// Cancelling the task that runs it stops new items, ends running ones and still returns a result.
public struct Engine: Sendable {
    public let checklist: Checklist
    public let options: RunOptions
    public let environment: RunEnvironment
    public let signoffSource: (any SignoffSource)?
    public let observer: (@Sendable (EngineEvent) -> Void)?
    public let recorder: (any RunRecorder)?
    public let reuse: (any EvidenceReuse)?
    public let history: (any RunHistory)?
    public let waiverSource: (any WaiverSource)?
    /// The configuration's rules, consulted before each item and for every sign-off.
    public let policy: Policy
    /// Built once: from the whole environment, it cost more per item than running `true`.
    let redactor: Redactor

    public init(
        checklist: Checklist, options: RunOptions, environment: RunEnvironment = .live,
        signoffSource: (any SignoffSource)? = nil, observer: (@Sendable (EngineEvent) -> Void)? = nil,
        recorder: (any RunRecorder)? = nil, reuse: (any EvidenceReuse)? = nil, history: (any RunHistory)? = nil,
        waivers: (any WaiverSource)? = nil
    ) {
        self.reuse = reuse
        self.history = history
        self.waiverSource = waivers
        self.checklist = checklist
        self.policy = Policy(checklist)
        var redactor = Redactor(
            environment: options.processEnvironment, extraNames: checklist.secretNames,
            extraValues: options.withheldSecrets)
        redactor.patterns = options.secretPatterns
        self.redactor = redactor
        self.options = options
        self.environment = environment
        self.signoffSource = signoffSource
        self.observer = observer
        self.recorder = recorder
    }

    /// Items of the phase this run covers: `--only` and what they need, in file order.
    public var selectedItems: [Item] {
        let items = checklist.phase(options.phase)?.items ?? []
        guard !options.only.isEmpty else { return items }
        let byID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var wanted = Set<String>()
        var stack = options.only
        while let id = stack.popLast() {
            guard wanted.insert(id).inserted, let item = byID[id] else { continue }
            stack += item.needs
        }
        return items.filter { wanted.contains($0.id) }
    }

    /// The run's variables, `${{ env.NAME }}` in their values read from the process environment. A
    /// variable whose environment variable is unset is left out, and `unsetVariables` says which it reads.
    var variables: [String: String] { resolvedVariables.values }

    var unsetVariables: [String: String] { resolvedVariables.unset }

    private var resolvedVariables: (values: [String: String], unset: [String: String]) {
        var merged = checklist.variables
        if let name = options.environment, let environment = checklist.environments[name] {
            merged.merge(environment.variables) { _, new in new }
        }
        var values: [String: String] = [:]
        var unset: [String: String] = [:]
        for (name, raw) in merged {
            guard raw.contains("${{"), let template = try? Template.parse(raw) else {
                values[name] = raw
                continue
            }
            do {
                values[name] = try template.expand(
                    environment: options.processEnvironment, variables: [:], quoting: .none)
            } catch {
                unset[name] = error.reference
            }
        }
        return (values, unset)
    }

    /// Runs the phase. `id` names the run (the caller makes it, so that a store can record the run
    /// before its first item); `completed` holds results of an earlier attempt at the same run,
    /// which are kept and not run again (a resumed run, which keeps its first `startedAt`). Items
    /// whose result is not kept run.
    public func run(id: String? = nil, completed: [ItemResult] = [], startedAt: Date? = nil) async -> RunResult {
        let startedAt = startedAt ?? environment.now()
        let runID = id ?? environment.makeRunID()
        let items = selectedItems
        let selected = Set(items.map(\.id))
        let redactor = redactor
        let variables = variables
        var results: [String: ItemResult] = [:]
        var notApplicable: Set<String> = []
        // An earlier attempt's results stand for items that finished; one still running when the
        // attempt ended has none and runs again.
        for result in completed where selected.contains(result.id) { results[result.id] = result }
        var provenance = options.provenance
        let notRun = Set(
            (checklist.phase(options.phase)?.items ?? []).filter { !selected.contains($0.id) }.compactMap(\.source))
        if !notRun.isEmpty { provenance.notRunSources = notRun.sorted() }
        await recorder?.runBegan(
            RunHeader(
                runID: runID, toolVersion: options.toolVersion, project: checklist.project, config: checklist.file,
                phase: options.phase, environment: options.environment, deployType: options.deployType,
                actor: options.actor, startedAt: startedAt, release: options.release, itemIDs: items.map(\.id),
                resumedItemIDs: items.map(\.id).filter { results[$0] != nil }, provenance: provenance,
                only: options.only, skip: options.skip))

        func record(_ result: ItemResult) async {
            results[result.id] = result
            observer?(.finished(result))
            await recorder?.itemFinished(result, runID: runID)
        }

        let waivers = await waiverSource?.waivers(environment: options.environment, at: environment.now()) ?? [:]
        await withTaskGroup(of: ItemResult.self) { group in
            var waiting = items.filter { results[$0.id] == nil }
            var running = 0
            // The item that runs each check; another item with the same check judges that run. Not in
            // a run with actions: a check after one must look again. And not when the other item needs
            // something the first did not wait for: its run may predate what this one must follow.
            var ranBy: [String: Item] = [:]
            let sharing = !items.contains(where: \.isAction)
            for item in items where sharing {
                if let key = item.checkKey, results[item.id] != nil { ranBy[key] = ranBy[key] ?? item }
            }
            while true {
                var index = 0
                while index < waiting.count {
                    let item = waiting[index]
                    let needs = item.needs.filter { selected.contains($0) }
                    if needs.contains(where: { results[$0] == nil }) {
                        index += 1
                        continue
                    }
                    if let (decided, applies) = preflight(
                        item, needs: needs, results: results, notApplicable: notApplicable,
                        variables: variables, cancelled: Task.isCancelled)
                    {
                        if !applies { notApplicable.insert(item.id) }
                        await record(decided)
                        waiting.remove(at: index)
                        index = 0
                        continue
                    }
                    // A waived item does not run: it reports as waived, with who, why and until when.
                    if let waiver = waivers[item.id] {
                        var result = baseResult(item)
                        result.outcome = .waived
                        result.waiver = waiver
                        result.reason = "waived \(waiver.byWhom): \(waiver.reason)"
                        await record(result)
                        waiting.remove(at: index)
                        index = 0
                        continue
                    }
                    if let key = item.checkKey, let owner = ranBy[key],
                        Set(item.needs).subtracting(owner.needs).isDisjoint(with: selected)
                    {
                        guard let ran = results[owner.id] else {
                            index += 1
                            continue
                        }
                        observer?(.started(item))
                        await recorder?.itemStarted(item, runID: runID)
                        await record(judged(item, by: ran, redactor: redactor, variables: variables))
                        waiting.remove(at: index)
                        index = 0
                        continue
                    }
                    guard running < options.jobs else { break }
                    running += 1
                    if sharing, let key = item.checkKey, ranBy[key] == nil { ranBy[key] = item }
                    waiting.remove(at: index)
                    observer?(.started(item))
                    await recorder?.itemStarted(item, runID: runID)
                    group.addTask { await self.executeOrReuse(item, redactor: redactor, variables: variables) }
                }
                guard running > 0, let result = await group.next() else { break }
                running -= 1
                await record(result)
            }
            // Only reachable with items left when something was never ready, which validation prevents.
            for item in waiting where results[item.id] == nil {
                await record(skippedResult(item, reason: "its needs never completed"))
            }
        }

        let finishedAt = environment.now()
        let ordered = items.compactMap { results[$0.id] }
        let result = RunResult(
            schemaVersion: RunResult.schemaVersion, runID: runID, toolVersion: options.toolVersion,
            project: checklist.project, config: checklist.file, phase: options.phase,
            environment: options.environment, deployType: options.deployType, actor: options.actor,
            startedAt: startedAt, finishedAt: finishedAt, interrupted: Task.isCancelled, items: ordered,
            release: options.release, provenance: provenance)
        await recorder?.runFinished(result)
        return result
    }

    /// Runs one item outside a phase run (no store, no reuse, no recorder): the same kind, timeout,
    /// retries, expectations and redaction as in a gate, so that a watch that samples a probe again
    /// and again judges it as the gate would. A manual item asks the sign-off source.
    public func evaluate(_ item: Item) async -> ItemResult {
        await execute(item, redactor: redactor, variables: variables)
    }

    /// Takes an earlier passing result with the same key when the item may reuse one; otherwise runs
    /// it, and its result carries the key for later runs.
    func executeOrReuse(_ item: Item, redactor: Redactor, variables: [String: String]) async -> ItemResult {
        guard let reuse, item.inputs != nil, item.reuse != false, case .check(_, let check) = item.body,
            !check.touchesLiveSystems || item.reuse == true,
            let key = await reuse.key(for: item, variables: variables, environment: options.environment)
        else {
            return await execute(item, redactor: redactor, variables: variables)
        }
        if let found = await reuse.find(key: key, within: item.reuseTTL ?? Item.defaultReuseTTL),
            found.result.outcome == .pass, found.result.id == item.id
        {
            var result = found.result
            let age = ReusedEvidence.age(environment.now().timeIntervalSince(found.recordedAt))
            result.title = item.title
            result.section = item.section
            result.location = item.location
            result.reason = "reused from run \(found.runID) (\(age) ago)"
            result.reuseKey = nil
            result.reusedFrom = ReusedEvidence(runID: found.runID, recordedAt: found.recordedAt)
            return result
        }
        var result = await execute(item, redactor: redactor, variables: variables)
        result.reuseKey = key
        return result
    }

    /// Decides an item without running it, when it need not or must not run; `applies` is false when
    /// its `when` is false, so that its dependants still run.
    func preflight(
        _ item: Item, needs: [String], results: [String: ItemResult], notApplicable: Set<String>,
        variables: [String: String], cancelled: Bool
    ) -> (result: ItemResult, applies: Bool)? {
        if cancelled { return (skippedResult(item, reason: "the run was interrupted before it started"), true) }
        if let reason = policy.leavesOut(
            item, environment: options.environment, deployType: options.deployType, skip: options.skip)
        {
            return (skippedResult(item, reason: reason), true)
        }
        for need in needs {
            // Needs run first, so each has a result; one without counts as not run.
            let outcome = results[need]?.outcome ?? .skipped
            if !outcome.satisfiesDependants && !notApplicable.contains(need) {
                return (skippedResult(item, reason: "needs `\(need)`, which \(Engine.phrase(outcome))"), true)
            }
        }
        if let when = item.when {
            // Without --env or --type they read as "", so that `env == "production"` is simply false.
            var facts: Facts = [
                "phase": .string(options.phase.rawValue),
                "env": .string(options.environment ?? ""),
                "type": .string(options.deployType ?? ""),
            ]
            for (name, value) in variables { facts["vars." + name] = .string(value) }
            do {
                if try !when.truth(in: Scope(facts: facts, changedPaths: options.changedPaths)) {
                    return (skippedResult(item, reason: "when `\(when)` is false"), false)
                }
            } catch {
                var result = skippedResult(
                    item, reason: "its condition `\(when)` could not be evaluated: \(error.message)")
                result.outcome = .error
                return (result, true)
            }
        }
        return nil
    }

    /// Items this run would not run whatever else happens (`--skip`, the environment's skip list, a
    /// `when` that is false or cannot be evaluated), each with the reason: what `plan` shows.
    public func decidedBeforehand() -> [ItemResult] {
        let variables = variables
        return selectedItems.compactMap { item in
            preflight(item, needs: [], results: [:], notApplicable: [], variables: variables, cancelled: false)?.result
        }
    }

    static func phrase(_ outcome: Outcome) -> String {
        switch outcome {
        case .fail: "failed"
        case .error: "could not be evaluated"
        case .skipped: "was skipped"
        case .pending: "is pending sign-off"
        case .pass, .warn, .waived: "passed"
        }
    }

    func baseResult(_ item: Item) -> ItemResult {
        var summary: String?
        if case .check(_, let check) = item.body { summary = redactor.redact(check.summary) }
        return ItemResult(
            id: item.id, title: item.title, phase: item.phase, section: item.section, kind: item.kindName,
            severity: item.severity, outcome: .skipped, reason: nil, summary: summary, facts: [:], expectations: [],
            attempts: 0, startedAt: nil, duration: 0, signoffs: [], waiver: nil, description: item.description,
            location: item.location, source: item.source)
    }

    func skippedResult(_ item: Item, reason: String) -> ItemResult {
        var result = baseResult(item)
        result.reason = reason
        return result
    }
}
