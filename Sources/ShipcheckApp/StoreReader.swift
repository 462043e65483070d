public import Foundation
public import ShipcheckCore
public import ShipcheckStore

/// The reads commands make of the store: each opens it read-only (a missing store is an error
/// naming its path, never a new empty one), reads, and closes it; any failure is a
/// `CommandFailure` with its exit status.
public struct StoreReader: Sendable {
    public let flag: String?
    public let configURL: URL?
    public let environment: [String: String]

    public init(flag: String?, configURL: URL?, environment: [String: String]) {
        self.flag = flag
        self.configURL = configURL
        self.environment = environment
    }

    /// Opens the store read-only, runs `body`, and closes it.
    public func reading<T: Sendable>(_ body: (RunStore) async throws -> T) async throws(CommandFailure) -> T {
        try await withStore(
            {
                try await StoreViews.open(flag: flag, configURL: configURL, environment: environment, access: .readOnly)
            },
            body)
    }

    public func history(_ query: HistoryQuery) async throws(CommandFailure) -> [RunSummary] {
        try await reading { try await $0.history(query) }
    }

    /// Refused deploys, oldest first.
    public func refusals(environment: String?) async throws(CommandFailure) -> [RunStore.Refusal] {
        try await reading { try await $0.refusals(environment: environment) }
    }

    public func metrics(since: Date, until: Date, environment: String?) async throws(CommandFailure)
        -> DeliveryMetrics
    {
        try await reading { try await $0.metrics(since: since, until: until, environment: environment) }
    }

    /// One run, or a sharded group's merged verdict by the group's name; a usage error when neither is there.
    /// `latest` is the newest run; a unique prefix of a run's id names that run.
    public func run(_ id: String) async throws(CommandFailure) -> StoredRun {
        try await reading { store in
            if let run = try await store.run(id) { return run }
            if let verdict = try await store.groupVerdict(id) { return verdict }
            let recent = try await store.history(HistoryQuery(limit: id == "latest" ? 1 : nil))
            let picked = NamedRecord.pick(id, newestFirst: recent.map(\.runID))
            if case .found(let runID) = picked, let run = try await store.run(runID) { return run }
            let location = StoreLocation.display(store.location)
            if case .ambiguous(let ids) = picked {
                throw CommandFailure(NamedRecord.ambiguity(id, ids, of: "runs"), .usage)
            }
            throw CommandFailure("no run `\(id)` in the store at \(location) (`latest` is the newest)", .usage)
        }
    }

    /// The audit chain walked, and where the store is (for the message); then every checkpoint, those
    /// kept in the store and those `given` (kept elsewhere, each with where it came from), verified
    /// against `signers` and the chain.
    public func verifyAudit(given: [(name: String, checkpoint: AuditCheckpoint)] = [], signers: DecisionVerifier)
        async throws(CommandFailure) -> (report: AuditReport, location: String, checkpoints: Int)
    {
        try await reading { store in
            let events = try await store.auditEvents()
            var report = AuditVerifier.verify(events: events, rows: try await store.auditedRows())
            let (stored, unreadable) = try await store.checkpoints()
            let all = stored.map { (name: $0.id, checkpoint: $0.checkpoint) } + given
            for entry in all {
                report.problems += entry.checkpoint.problems(events: events, verifier: signers, name: entry.name)
            }
            report.problems += unreadable.map {
                AuditProblem(eventID: nil, seq: nil, message: "checkpoint record \($0) cannot be read")
            }
            report.problems.sort { ($0.seq ?? .max) < ($1.seq ?? .max) }
            return (report, StoreLocation.display(store.location), all.count)
        }
    }

    public func auditEvents() async throws(CommandFailure) -> [AuditEvent] {
        try await reading { try await $0.auditEvents() }
    }

    /// The events and every row they cover, read together.
    public func auditEventsAndRows() async throws(CommandFailure) -> ([AuditEvent], [StoreRow]) {
        try await reading { store in (try await store.auditEvents(), try await store.auditedRows()) }
    }

    /// One deployment, or nil when no deployment has that id.
    public func deployment(_ id: String) async throws(CommandFailure) -> Deployment? {
        try await reading { try await $0.deployment(id) }
    }

    /// One deployment and the runs of its steps, or nil when no deployment has that id.
    public func deploymentWithRuns(_ id: String) async throws(CommandFailure) -> (Deployment, [String: RunResult])? {
        try await reading { store in
            guard let deployment = try await store.deployment(id) else { return nil }
            var runs: [String: RunResult] = [:]
            for run in deployment.runs { runs[run] = try await store.run(run)?.result }
            return (deployment, runs)
        }
    }

    /// Deployments, oldest first.
    public func deployments(environment: String?) async throws(CommandFailure) -> [Deployment] {
        try await reading { try await $0.deployments(environment: environment) }
    }
}
