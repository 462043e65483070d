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

    public var blocked: Bool { !blocks.isEmpty || !failedBefore.isEmpty || !(missingSignoffs ?? []).isEmpty }

    /// The gate phase whose items the plan reads.
    public static let gatePhase = PhaseName.preDeploy

    public static func make(
        checklist: Checklist, directory: URL, environment: String?, deployType: String?, at: Date,
        processEnvironment: [String: String], store: RunStore?
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
        if let store, let environment {
            for stored in try await store.waivers(environment: environment) {
                let waiver = stored.waiver
                let end = waiver.expires.map { ISO8601DateFormatter().string(from: $0) } ?? "no end"
                let title = checklist.item(stored.item)?.title ?? stored.item
                if stored.holds(at: at) {
                    waivedNow.insert(stored.item)
                    waivers.append(
                        Entry(
                            item: stored.item, title: title,
                            reason: "waived by \(waiver.actor) until \(end): \(waiver.reason)"))
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

    /// The calendar at `at` for the environment and type: the configured windows and freezes, the
    /// environment's emergency freezes and overrides from the store, and the runway (the window's, or
    /// else `typicalDuration`).
    public static func calendarVerdict(
        checklist: Checklist, store: RunStore?, environment: String?, deployType: String?, at: Date,
        typicalDuration: Double?
    ) async throws -> CalendarVerdict {
        var emergencies: [EmergencyFreeze] = []
        var overrides: [PolicyBlock.Rule: Waiver] = [:]
        if let store, let environment {
            emergencies = try await store.emergencyFreezes(environment: environment)
            overrides = try await store.overridesInForce(environment: environment, at: at)
        }
        return Policy(checklist).blocks(
            at: at, environment: environment, deployType: deployType, typicalDuration: typicalDuration,
            emergencies: emergencies, overrides: overrides)
    }

    /// The median duration of the last ten passing deploy-phase runs in the environment.
    public static func typicalDeployDuration(store: RunStore?, environment: String?) async throws -> Double? {
        guard let store else { return nil }
        let recent = try await store.history(
            HistoryQuery(environment: environment, phase: PhaseName.deploy.rawValue, outcome: "passed", limit: 10))
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
        for entry in overridden { lines.append("  ~ \(entry.block.rule.rawValue): \(entry.message)") }
        if missingSignoffs == nil {
            lines.append("sign-offs: not checked without a run store; a run asks for them at the terminal")
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
