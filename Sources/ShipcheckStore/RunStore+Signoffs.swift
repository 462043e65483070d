public import Foundation
public import ShipcheckCore

/// Sign-offs as `signoff` records: who signed which manual item, in which environment, for which
/// commit, when, with what note; each one an audit event. Runs pick them up.
extension RunStore {
    static let signoffKind = "signoff"

    struct SignoffBody: Codable {
        var note: String?
        var commit: String?
    }

    public struct StoredSignoff: Sendable, Hashable, Codable {
        public var id: String
        public var item: String
        public var environment: String?
        public var commit: String?
        public var signoff: Signoff
    }

    public func recordSignoff(
        item: String, environment: String?, commit: String?, actor: String, note: String?, at: Date
    )
        async throws -> StoredSignoff
    {
        let stored = StoredSignoff(
            id: "signoff-\(Self.eventID())", item: item, environment: environment, commit: commit,
            signoff: Signoff(actor: actor, note: note, at: at))
        try await put(
            StoredRecord(
                kind: Self.signoffKind, id: stored.id, subject: item, environment: environment, actor: actor, at: at,
                body: try Self.json(SignoffBody(note: note, commit: commit))))
        return stored
    }

    /// Sign-offs of `item` in the environment, oldest first; for `commit` only, when one is given.
    public func signoffs(item: String, environment: String?, commit: String?) async throws -> [StoredSignoff] {
        try await records(kind: Self.signoffKind, subject: item, environment: environment).compactMap { record in
            guard let body = try? JSONDecoder().decode(SignoffBody.self, from: Data(record.body.utf8)),
                record.environment == environment, commit == nil || body.commit == commit
            else { return nil }
            return StoredSignoff(
                id: record.id, item: item, environment: record.environment, commit: body.commit,
                signoff: Signoff(actor: record.actor ?? "", note: body.note, at: record.at))
        }
    }
}

/// Sign-offs recorded in the store for this run's environment and commit, then any other source
/// (the terminal prompt).
public struct StoreSignoffs: SignoffSource {
    public let store: RunStore
    public let environment: String?
    public let commit: String?
    public let also: (any SignoffSource)?

    public init(store: RunStore, environment: String?, commit: String?, also: (any SignoffSource)? = nil) {
        self.store = store
        self.environment = environment
        self.commit = commit
        self.also = also
    }

    public func signoffs(for item: Item) async -> [Signoff] {
        let stored = (try? await store.signoffs(item: item.id, environment: environment, commit: commit)) ?? []
        let recorded = stored.map(\.signoff)
        // The prompt is asked only when the store does not already hold enough.
        guard case .manual(let requirement) = item.body, recorded.count < requirement.count, let also else {
            return recorded
        }
        return recorded + (await also.signoffs(for: item))
    }
}
