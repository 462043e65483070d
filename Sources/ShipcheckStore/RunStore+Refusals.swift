public import Foundation
public import ShipcheckCore

/// Deploys the calendar refused as `refusal` records: who tried, when, for which commit, and what
/// blocked them, each an audit event, so that an attempt outside the rules is never silent.
extension RunStore {
    static let refusalKind = "refusal"

    public struct Refusal: Sendable, Hashable, Codable {
        public var environment: String?
        public var deployType: String?
        public var phase: PhaseName
        public var actor: String
        public var via: Identity.Source?
        public var commit: String?
        public var blocks: [PolicyBlock]
        public var at: Date?

        public init(
            environment: String?, deployType: String?, phase: PhaseName, actor: Identity, commit: String?,
            blocks: [PolicyBlock]
        ) {
            self.environment = environment
            self.deployType = deployType
            self.phase = phase
            self.actor = actor.name
            self.via = actor.source
            self.commit = commit
            self.blocks = blocks
        }
    }

    @discardableResult
    public func recordRefusal(_ refusal: Refusal, at: Date) async throws -> String {
        let id = "refusal-\(Self.eventID())"
        var body = refusal
        body.at = at
        try await put(
            StoredRecord(
                kind: Self.refusalKind, id: id, subject: refusal.phase.rawValue, environment: refusal.environment,
                actor: refusal.actor, at: at, body: try Self.json(body)))
        return id
    }

    /// Refused attempts, oldest first; of one environment when one is given.
    public func refusals(environment: String? = nil) async throws -> [Refusal] {
        try await records(kind: Self.refusalKind, environment: environment).compactMap { record in
            try? JSONDecoder().decode(Refusal.self, from: Data(record.body.utf8))
        }
    }
}
