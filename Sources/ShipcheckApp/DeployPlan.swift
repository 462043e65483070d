public import Foundation
import ShipcheckChecks
public import ShipcheckCore
public import ShipcheckStore

/// "What would block me right now, and why": the deploy calendar (window, freezes, runway) at a
/// time, the items the environment or the type leaves out, and the gate's items whose newest result
/// for this commit failed. Runs nothing.
public struct DeployPlan: Sendable, Codable {
    public struct Entry: Sendable, Codable, Hashable {
        public var item: String
        public var title: String
        public var reason: String
    }

    public var at: Date
    public var environment: String?
    public var deployType: String?
    public var commit: String?
    /// The deploy's expected duration, when it is known (the window's `runway:` or recent deploys).
    public var typicalDuration: Double?
    public var blocks: [PolicyBlock]
    /// Calendar blocks lifted by an override in force (who, why, until when).
    public var overridden: [CalendarVerdict.Overridden] = []
    /// Items of the gate that will not run, with the reason (environment, type, `when`).
    public var leftOut: [Entry]
    /// Gate items whose newest result for this commit in this environment failed.
    public var failedBefore: [Entry]
    /// Waivers of the environment in force at the time, and those expired within the last week.
    public var waivers: [Entry] = []
    /// Manual gate items whose stored sign-offs for this commit do not satisfy them, with who could
    /// give what is missing. Nil without a store: sign-offs are then asked for at the terminal.
    public var missingSignoffs: [Entry]? = nil
    /// Why the pre-deploy gate does not stand for this deploy (none recorded for the commit in the
    /// environment, or the newest whole one did not pass); nil when it does or is not required.
    public var gate: String? = nil
    /// The newest whole pre-deploy gate of this commit in the environment, when there is one.
    public var gateRun: String? = nil
    /// Records from the store the policy counted for nothing (a waiver or override by someone who
    /// may not bypass, an unreadable record), each with why.
    public var ignored: [String] = []

    public var blocked: Bool {
        !blocks.isEmpty || !failedBefore.isEmpty || !(missingSignoffs ?? []).isEmpty || gate != nil
    }

    /// Everything that blocks, as one list: what a refused deploy prints and records.
    public var refusals: [PolicyBlock] {
        blocks + failedBefore.map { PolicyBlock(.failed, "\($0.item) — \($0.title): \($0.reason)") }
            + (missingSignoffs ?? []).map { PolicyBlock(.signoffs, "\($0.item) — \($0.title): \($0.reason)") }
            + (gate.map { [PolicyBlock(.gate, $0)] } ?? [])
    }

    /// The gate phase whose items the plan reads.
    public static let gatePhase = PhaseName.preDeploy

    public static func make(
        checklist: Checklist, directory: URL, environment: String?, deployType: String?, at: Date,
        processEnvironment: [String: String], store: RunStore?, lockHolder: String? = nil
    ) async throws -> DeployPlan {
        let revision = await GitInfo.revision(in: directory, environment: processEnvironment)
        let commit = revision?.commit
        let typical = try await typicalDeployDuration(store: store, environment: environment)
        let verdict = try await calendarVerdict(
            checklist: checklist, store: store, environment: environment, deployType: deployType, at: at,
            typicalDuration: typical)

        let options = RunOptions(
            phase: gatePhase, environment: environment, deployType: deployType, actor: "plan",
            workingDirectory: directory, processEnvironment: processEnvironment, toolVersion: ShipcheckVersion.current)
        let engine = Engine(checklist: checklist, options: options)
        let decided = engine.decidedBeforehand()
        let leftOut = decided.map { Entry(item: $0.id, title: $0.title, reason: $0.reason ?? $0.outcome.rawValue) }

        var waivers: [Entry] = []
        var waivedNow: Set<String> = []
        var ignored = verdict.ignored
        if let store, let environment {
            let judged = try await store.waiversInForce(environment: environment, at: at, policy: Policy(checklist))
            ignored += judged.ignored
            for stored in try await store.waivers(environment: environment) {
                let waiver = stored.waiver
                let end = waiver.expires.map { ISO8601DateFormatter().string(from: $0) } ?? "no end"
                let title = checklist.item(stored.item)?.title ?? stored.item
                if stored.holds(at: at) {
                    // The one that holds, as judged (with how far its author is known).
                    guard let held = judged.holding[stored.item], held.at == waiver.at, held.actor == waiver.actor
                    else { continue }
                    waivedNow.insert(stored.item)
                    waivers.append(
                        Entry(item: stored.item, title: title, reason: "waived \(held.byWhom): \(held.reason)"))
                } else if let expires = waiver.expires, expires <= at, at.timeIntervalSince(expires) < 7 * 86_400 {
                    waivers.append(
                        Entry(
                            item: stored.item, title: title,
                            reason: "waiver by \(waiver.actor) expired \(end): it runs again"))
                }
            }
        }
        var failedBefore: [Entry] = []
        let skippedIDs = Set(decided.map(\.id))
        if let store, let commit {
            for item in engine.selectedItems
            where !item.isManual && !skippedIDs.contains(item.id) && !waivedNow.contains(item.id) {
                let match = HistoryMatch(phase: gatePhase.rawValue, environment: environment, commit: commit)
                guard let last = try await store.latestResult(of: item.id, matching: match),
                    [.fail, .error].contains(last.outcome)
                else { continue }
                let age = ReusedEvidence.age(at.timeIntervalSince(last.finishedAt))
                failedBefore.append(
                    Entry(
                        item: item.id, title: item.title,
                        reason:
                            "its newest result for this commit was \(last.outcome.rawValue) (run \(last.runID), \(age) ago)"
                    ))
            }
        }
        var plan = DeployPlan(
            at: at, environment: environment, deployType: deployType, commit: commit, typicalDuration: typical,
            blocks: verdict.blocking, leftOut: leftOut, failedBefore: failedBefore)
        plan.overridden = verdict.overridden
        plan.waivers = waivers
        plan.ignored = ignored
        // The deployment asking (`shipcheck deploy` between its steps) is not blocked by its own lock.
        if let store, let environment, let lock = try await store.lock(environment: environment), lock.isHeld(at: at),
            lockHolder == nil || lock.holder != lockHolder
        {
            plan.blocks.append(PolicyBlock(.lock, "the deploy lock of \(environment) is held by \(lock.description)"))
        }
        if let environment, let gatePhase = checklist.phase(gatePhase), !gatePhase.items.isEmpty {
            (plan.gate, plan.gateRun) = try await gateStanding(
                store: store, environment: environment, deployType: deployType, commit: commit)
        }
        if let store {
            let manual = engine.selectedItems.filter {
                $0.isManual && !skippedIDs.contains($0.id) && !waivedNow.contains($0.id)
            }
            plan.missingSignoffs = try await SignoffStatus.of(
                manual, checklist: checklist, store: store, environment: environment, commit: commit,
                author: revision?.author, at: at
            ).filter { !$0.judgement.satisfied }.map { status in
                Entry(item: status.item.id, title: status.item.title, reason: status.summary)
            }
        }
        return plan
    }

    /// Whether a pre-deploy gate stands for a deploy of `commit` to `environment`: the newest whole
    /// one (no `--only`, `--skip` or lone shard) recorded for the commit there, of the deploy's type,
    /// passed. Returns why not (nil when it stands) and the gate's run.
    static func gateStanding(store: RunStore?, environment: String, deployType: String?, commit: String?)
        async throws -> (problem: String?, run: String?)
    {
        guard let store else { return (nil, nil) }
        guard let commit else {
            return (
                "the commit is unknown (no git repository), so no pre-deploy gate can be matched to this deploy",
                nil
            )
        }
        let short = String(commit.prefix(12))
        // Of the deploy's own type: an abbreviated hotfix gate does not stand for a standard deploy,
        // nor a typed gate for an untyped deploy.
        let query = HistoryQuery(
            environment: environment, phase: gatePhase.rawValue, commit: commit, wholeGatesOnly: true)
        guard let newest = try await store.history(query).first(where: { $0.deployType == deployType }) else {
            return (
                "no whole \(gatePhase.rawValue) gate of commit \(short) is recorded in \(environment)"
                    + (deployType.map { " for type \($0)" } ?? "")
                    + " (run `shipcheck run \(gatePhase.rawValue) --env \(environment)"
                    + (deployType.map { " --type \($0)" } ?? "") + "` first)", nil
            )
        }
        guard newest.outcome == Verdict.passed.rawValue else {
            return (
                "the newest whole \(gatePhase.rawValue) gate of commit \(short) in \(environment) (run \(newest.runID)) is \(newest.outcome), not passed",
                newest.runID
            )
        }
        return (nil, newest.runID)
    }

    /// The calendar at `at` for the environment and type: the configured windows and freezes, the
    /// environment's emergency freezes and overrides from the store (as the policy counts them), and
    /// the runway (the window's, or else `typicalDuration`).
    public static func calendarVerdict(
        checklist: Checklist, store: RunStore?, environment: String?, deployType: String?, at: Date,
        typicalDuration: Double?
    ) async throws -> CalendarVerdict {
        let policy = Policy(checklist)
        var emergencies: [EmergencyFreeze] = []
        var overrides: [PolicyBlock.Rule: Waiver] = [:]
        var ignored: [String] = []
        if let store, let environment {
            let freezes = try await store.emergencyFreezes(environment: environment, policy: policy)
            emergencies = freezes.freezes
            let judged = try await store.overridesInForce(environment: environment, at: at, policy: policy)
            overrides = judged.holding
            ignored = freezes.ignored + judged.ignored
        }
        var verdict = policy.blocks(
            at: at, environment: environment, deployType: deployType, typicalDuration: typicalDuration,
            emergencies: emergencies, overrides: overrides)
        verdict.ignored = ignored
        return verdict
    }

    /// The median duration of the last ten passing whole deploy-phase runs in the environment.
    public static func typicalDeployDuration(store: RunStore?, environment: String?) async throws -> Double? {
        guard let store else { return nil }
        let recent = try await store.history(
            HistoryQuery(
                environment: environment, phase: PhaseName.deploy.rawValue, outcome: "passed", limit: 10,
                wholeGatesOnly: true))
        let durations = recent.compactMap { run in run.finishedAt.map { $0.timeIntervalSince(run.startedAt) } }.sorted()
        guard !durations.isEmpty else { return nil }
        let middle = durations.count / 2
        return durations.count.isMultiple(of: 2) ? (durations[middle - 1] + durations[middle]) / 2 : durations[middle]
    }

    /// The plan as text: the verdict first, then each reason.
    public var text: String {
        var lines: [String] = []
        let what = [deployType.map { "a \($0) deploy" } ?? "a deploy", environment.map { "to \($0)" }]
            .compactMap { $0 }.joined(separator: " ")
        lines.append("plan: \(what) at \(ISO8601DateFormatter().string(from: at))")
        lines.append(blocked ? "BLOCKED" : "nothing blocks it")
        for block in blocks { lines.append("  ✗ \(block.rule.rawValue): \(block.message)") }
        for entry in failedBefore { lines.append("  ✗ \(entry.item) — \(entry.title): \(entry.reason)") }
        for entry in missingSignoffs ?? [] { lines.append("  ✗ \(entry.item) — \(entry.title): \(entry.reason)") }
        if let gate { lines.append("  ✗ gate: \(gate)") }
        for entry in overridden { lines.append("  ~ \(entry.block.rule.rawValue): \(entry.message)") }
        for entry in ignored { lines.append("  ! ignored: \(entry)") }
        if missingSignoffs == nil {
            lines.append(
                "sign-offs and the pre-deploy gate: not checked without a run store; a run asks for sign-offs at the terminal"
            )
        } else if let gateRun, gate == nil {
            lines.append("gate: run \(gateRun) passed")
        }
        if let typicalDuration {
            lines.append("expected duration: \(Value.formatDuration(typicalDuration))")
        }
        if !waivers.isEmpty {
            lines.append("waivers (\(waivers.count)):")
            for entry in waivers { lines.append("  ~ \(entry.item) — \(entry.title): \(entry.reason)") }
        }
        if !leftOut.isEmpty {
            lines.append("left out of the \(Self.gatePhase.rawValue) gate (\(leftOut.count)):")
            for entry in leftOut { lines.append("  - \(entry.item) — \(entry.title): \(entry.reason)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
