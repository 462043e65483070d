public import Foundation
public import ShipcheckCore

/// A deployment as `shipcheck deploy` ran it: one record spanning its steps (gate, baseline, deploy,
/// watch, post-deploy, rollback), each step that ran a phase linked to its run. Written when the
/// deployment starts and again after every step, so that a deployment killed halfway still says
/// how far it got.
public struct Deployment: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        case running
        /// Deployed, watched and checked.
        case deployed
        /// Deployed, but its post-deploy checks did not pass (nothing was rolled back).
        case unverified
        /// Rolled back (by a trigger, a failed step or a person), and the service answers again.
        case rolledBack = "rolled-back"
        /// Rolled back, but the service did not come back: an incident.
        case rollbackFailed = "rollback-failed"
        /// Stopped before anything changed: the gate failed.
        case stopped
        case interrupted
    }

    public struct Step: Sendable, Codable, Hashable {
        public var name: String
        public var run: String?
        public var outcome: String
        public var detail: String?
        public var startedAt: Date
        public var finishedAt: Date?

        public init(
            name: String, run: String? = nil, outcome: String, detail: String? = nil, startedAt: Date,
            finishedAt: Date? = nil
        ) {
            self.name = name
            self.run = run
            self.outcome = outcome
            self.detail = detail
            self.startedAt = startedAt
            self.finishedAt = finishedAt
        }
    }

    public struct Rollback: Sendable, Codable, Hashable {
        /// Started by a trigger or a failed step rather than by a person.
        public var automatic: Bool
        public var reason: String
        public var startedAt: Date
        public var finishedAt: Date?
        /// The health probes pass again.
        public var restored: Bool?
        public var toVersion: String?

        public init(automatic: Bool, reason: String, startedAt: Date, toVersion: String?) {
            self.automatic = automatic
            self.reason = reason
            self.startedAt = startedAt
            self.toVersion = toVersion
        }
    }

    public var id: String
    public var environment: String
    public var deployType: String?
    public var version: String?
    /// The version the environment ran before: what a rollback returns to.
    public var previousVersion: String?
    public var actor: String
    public var via: Identity.Source?
    public var commit: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var status: Status
    public var steps: [Step] = []
    /// The triggers that fired, with why.
    public var triggers: [String] = []
    public var rollback: Rollback?
    public var notes: [String] = []
    /// The watch probes' samples before anything changed: what a resumed deploy watches against.
    public var baseline: [WatchSample]?

    public init(
        id: String, environment: String, deployType: String?, version: String?, previousVersion: String?,
        actor: Identity, commit: String?, startedAt: Date
    ) {
        self.id = id
        self.environment = environment
        self.deployType = deployType
        self.version = version
        self.previousVersion = previousVersion
        self.actor = actor.name
        self.via = actor.source
        self.commit = commit
        self.startedAt = startedAt
        self.status = .running
    }

    /// The runs of its steps, in order.
    public var runs: [String] { steps.compactMap(\.run) }
}

extension RunStore {
    static let deploymentKind = "deployment"

    /// Writes the deployment as it stands (a later write replaces the record; each is an audit event).
    public func save(_ deployment: Deployment) async throws {
        try await put(
            StoredRecord(
                kind: Self.deploymentKind, id: deployment.id, subject: deployment.version,
                environment: deployment.environment, actor: deployment.actor, at: deployment.startedAt,
                until: deployment.finishedAt, body: try Self.json(deployment)))
    }

    /// Deployments, oldest first; of one environment when one is given. A record that cannot be read
    /// is an error, never left out: the automatic-rollback freeze and the previous version read them.
    public func deployments(environment: String? = nil) async throws -> [Deployment] {
        try await records(kind: Self.deploymentKind, environment: environment).map { record in
            do {
                return try Self.decoder().decode(Deployment.self, from: Data(record.body.utf8))
            } catch {
                throw StoreError.failed(
                    location: location, reason: "deployment record \(record.id) cannot be read: \(error)")
            }
        }
    }

    public func deployment(_ id: String) async throws -> Deployment? {
        guard let record = try await records(kind: Self.deploymentKind, id: id).first else { return nil }
        return try Self.decoder().decode(Deployment.self, from: Data(record.body.utf8))
    }

    /// The deployment `name` names: its id, `latest` (the newest), or a unique start of an id;
    /// nil when none or several (`NamedRecord` says which).
    public func deployment(named name: String) async throws -> (Deployment?, NamedRecord) {
        if let exact = try await deployment(name) { return (exact, .found(exact.id)) }
        let all = try await deployments()
        let picked = NamedRecord.pick(name, newestFirst: all.reversed().map(\.id))
        guard case .found(let id) = picked else { return (nil, picked) }
        return (all.first { $0.id == id }, picked)
    }
}

extension Deployment {
    /// The deployment's entry in the deployment log, in the seed's format.
    public var logEntry: String {
        var out = DeploymentLog.heading(version ?? id, startedAt: startedAt)
        out += "- **Deployed by**: \(actor)\n"
        out += "- **Duration**: \(DeploymentLog.duration((finishedAt ?? startedAt).timeIntervalSince(startedAt)))\n"
        let issues =
            triggers
            + steps.filter { !["passed", "sampled", "skipped", "rollback"].contains($0.outcome) }.map {
                "\($0.name) \($0.outcome)" + ($0.detail.map { ": \($0)" } ?? "")
            }
        out += "- **Issues**: \(issues.isEmpty ? "None" : issues.joined(separator: "; "))\n"
        if let rollback {
            let how = rollback.automatic ? "Automatic" : "By hand"
            let end =
                rollback.restored == true
                ? "service restored" + (rollback.toVersion.map { " on \($0)" } ?? "")
                : "service NOT restored"
            out += "- **Rollback**: \(how) (\(rollback.reason)); \(end)\n"
        } else {
            out += "- **Rollback**: Not required\n"
        }
        let runs = steps.compactMap { step in step.run.map { "\(step.name) \($0)" } }
        var notes = ["deployment \(id), \(status.rawValue)"]
        if !runs.isEmpty { notes.append("runs: " + runs.joined(separator: ", ")) }
        notes += self.notes
        out += "- **Notes**: \(notes.joined(separator: "; "))\n"
        return out
    }
}
