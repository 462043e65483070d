public import Foundation
public import ShipcheckCore
public import ShipcheckStore

/// How one gate is split across CI runners: which shard runs which items. The first shard to start
/// stores the plan in the run store and every other shard takes the same one, so that they agree
/// even when durations are recorded while they start.
public struct ShardPlan: Sendable, Codable, Hashable {
    public var group: String
    public var phase: PhaseName
    public var environment: String?
    public var deployType: String?
    public var count: Int
    /// Item id → shard number (1-based), for every item of the phase.
    public var assignments: [String: Int]
    /// The phase's item ids in file order.
    public var itemIDs: [String]

    public static let recordKind = "shard-plan"

    public func items(of shard: Int) -> [String] { itemIDs.filter { assignments[$0] == shard } }

    /// Splits items into `count` shards of about equal expected time. Items joined by `needs` stay
    /// in one shard; parts go, longest first, to the shard with the least time so far. An item
    /// never recorded counts as the median of those that were (1 s without any).
    public static func assign(_ items: [Item], count: Int, durations: [String: Double]) -> [String: Int]? {
        let ids = items.map(\.id)
        var parent = Dictionary(uniqueKeysWithValues: ids.map { ($0, $0) })
        func root(_ id: String) -> String {
            var id = id
            while let up = parent[id], up != id { id = up }
            return id
        }
        for item in items {
            for need in item.needs where parent[need] != nil {
                let (a, b) = (root(item.id), root(need))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        let known = durations.values.sorted()
        let typical = known.isEmpty ? 1 : known[known.count / 2]
        var parts: [String: (first: Int, total: Double, ids: [String])] = [:]
        for (index, id) in ids.enumerated() {
            let key = root(id)
            var part = parts[key] ?? (index, 0, [])
            part.total += durations[id] ?? typical
            part.ids.append(id)
            parts[key] = part
        }
        guard parts.count >= count else { return nil }
        let ordered = parts.values.sorted { $0.total != $1.total ? $0.total > $1.total : $0.first < $1.first }
        var load = [Double](repeating: 0, count: count)
        var assignments: [String: Int] = [:]
        for part in ordered {
            let shard = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 } ?? 0
            load[shard] += part.total
            for id in part.ids { assignments[id] = shard + 1 }
        }
        return assignments
    }
}

/// `2/5`: this runner's shard and how many there are.
public struct ShardSelection: Sendable, Hashable {
    public var index: Int
    public var count: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1,
            (1...count).contains(index)
        else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }
}

/// The whole gate of a sharded group, once every shard has reported: one run, with a shard that
/// died or never reported shown as missing — never as passed.
public enum GroupVerdict {
    public struct Outcome: Sendable {
        public var result: RunResult
        /// Shards that never finished, with why.
        public var missing: [String]
    }

    public static func gather(
        group: String, store: RunStore, checklist: Checklist, wait: Double, poll: Double = 1,
        now: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> Outcome {
        let deadline = now().addingTimeInterval(wait)
        while true {
            let plan = try await storedPlan(group, store: store)
            var finished: [Int: StoredRun] = [:]
            var unfinished: [Int: String] = [:]
            if let plan {
                let runs = try await store.history(HistoryQuery(group: group))
                for shard in 1...plan.count {
                    let label = "\(shard)/\(plan.count)"
                    // The newest run of each shard stands (a shard re-run after a failure replaces it).
                    guard let summary = runs.first(where: { $0.shard == label }) else {
                        unfinished[shard] = "shard \(label) never reported"
                        continue
                    }
                    switch summary.outcome {
                    case "running": unfinished[shard] = "shard \(label) (run \(summary.runID)) had not finished"
                    case "interrupted":
                        unfinished[shard] = "shard \(label) (run \(summary.runID)) died before it finished"
                    default:
                        if let run = try await store.run(summary.runID) { finished[shard] = run }
                    }
                }
                if unfinished.isEmpty || now() >= deadline {
                    return merge(plan, finished: finished, unfinished: unfinished, checklist: checklist, now: now())
                }
            } else if now() >= deadline {
                throw GateFailure(["no shard of group `\(group)` has started (no plan in the store)"], usage: false)
            }
            try await Task.sleep(for: .seconds(poll))
        }
    }

    static func storedPlan(_ group: String, store: RunStore) async throws -> ShardPlan? {
        guard let record = try await store.records(kind: ShardPlan.recordKind, id: group).first else {
            return nil
        }
        return try JSONDecoder().decode(ShardPlan.self, from: Data(record.body.utf8))
    }

    static func merge(
        _ plan: ShardPlan, finished: [Int: StoredRun], unfinished: [Int: String], checklist: Checklist, now: Date
    ) -> Outcome {
        var byID: [String: ItemResult] = [:]
        for run in finished.values { for item in run.items { byID[item.id] = item } }
        let items = checklist.phase(plan.phase)?.items ?? []
        var results: [ItemResult] = []
        for id in plan.itemIDs {
            if let result = byID[id] {
                results.append(result)
            } else if let item = items.first(where: { $0.id == id }) {
                let shard = plan.assignments[id] ?? 0
                let why = unfinished[shard] ?? "shard \(shard)/\(plan.count) did not record it"
                results.append(.undecided(item, outcome: .error, reason: "missing: \(why)"))
            }
        }
        let runs = finished.values.map(\.header)
        let first = runs.min { $0.startedAt < $1.startedAt }
        let finishedAt = finished.values.compactMap(\.finishedAt).max() ?? now
        let result = RunResult(
            runID: plan.group, toolVersion: ShipcheckVersion.current, project: checklist.project,
            config: checklist.file, phase: plan.phase, environment: plan.environment, deployType: plan.deployType,
            actor: first?.actor ?? "-", startedAt: first?.startedAt ?? now, finishedAt: finishedAt, interrupted: false,
            items: results, release: first?.release,
            provenance: first.map {
                var provenance = $0.provenance
                provenance.shard = "all \(plan.count)"
                // The group's verdict covers every share: nothing of the gate was left out.
                provenance.notRunSources = nil
                return provenance
            })
        return Outcome(result: result, missing: unfinished.keys.sorted().compactMap { unfinished[$0] })
    }
}

extension GroupVerdict {
    /// Gathers the group's verdict from the store the command names and records it there (what CI
    /// acted on is kept, audited, and readable by `show GROUP`). Returns the verdict and, when it
    /// could not be recorded, why.
    public static func decide(
        group: String, checklist: Checklist, configURL: URL, storeFlag: String?, wait: Double,
        environment: [String: String]
    ) async throws(CommandFailure) -> (outcome: Outcome, notRecorded: String?) {
        let store: RunStore
        do {
            store = try await StoreViews.open(flag: storeFlag, configURL: configURL, environment: environment)
        } catch {
            throw CommandFailure("\(error)", .couldNotEvaluate)
        }
        let outcome: Outcome
        do {
            outcome = try await gather(group: group, store: store, checklist: checklist, wait: wait)
        } catch let failure as CommandFailure {
            try? await store.backend.close()
            throw CommandFailure(failure.messages, .couldNotEvaluate)
        } catch {
            try? await store.backend.close()
            throw CommandFailure("\(error)", .couldNotEvaluate)
        }
        var notRecorded: String?
        do {
            let who = await GateRunner.resolveActor(
                nil, directory: configURL.deletingLastPathComponent(), environment: environment)
            try await store.recordGroupVerdict(outcome.result, missing: outcome.missing, actor: who.name, at: Date())
        } catch {
            notRecorded = "the merged verdict could not be recorded in the store: \(error)"
        }
        try? await store.backend.close()
        return (outcome, notRecorded)
    }
}
