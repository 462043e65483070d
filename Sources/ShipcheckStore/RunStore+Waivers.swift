public import Foundation
public import ShipcheckCore

/// Waivers as `waiver` records: an item of an environment bypassed by someone allowed to, with the
/// reason and an end; each one an audit event.
extension RunStore {
    static let waiverKind = "waiver"

    struct WaiverBody: Codable {
        var reason: String
    }

    /// A waiver of `item` in `environment` as recorded, with the record's id.
    public struct StoredWaiver: Sendable, Hashable, Codable {
        public var id: String
        public var item: String
        public var environment: String
        public var waiver: Waiver

        public func holds(at date: Date) -> Bool {
            waiver.at <= date && (waiver.expires.map { date < $0 } ?? true)
        }
    }

    public func recordWaiver(item: String, environment: String, actor: String, reason: String, at: Date, until: Date)
        async throws -> StoredWaiver
    {
        let stored = StoredWaiver(
            id: "waiver-\(Self.eventID())", item: item, environment: environment,
            waiver: Waiver(actor: actor, reason: reason, at: at, expires: until))
        try await put(
            StoredRecord(
                kind: Self.waiverKind, id: stored.id, subject: item, environment: environment, actor: actor, at: at,
                until: until, body: try Self.json(WaiverBody(reason: reason))))
        return stored
    }

    /// Every waiver recorded for the environment, oldest first, in force or not.
    public func waivers(environment: String) async throws -> [StoredWaiver] {
        try await records(kind: Self.waiverKind, environment: environment).compactMap { record in
            guard let item = record.subject,
                let body = try? JSONDecoder().decode(WaiverBody.self, from: Data(record.body.utf8))
            else { return nil }
            return StoredWaiver(
                id: record.id, item: item, environment: environment,
                waiver: Waiver(actor: record.actor ?? "", reason: body.reason, at: record.at, expires: record.until))
        }
    }
}

/// The store as the engine's source of waivers in force.
public struct StoreWaivers: WaiverSource {
    public let store: RunStore

    public init(store: RunStore) { self.store = store }

    public func waivers(environment: String?, at date: Date) async -> [String: Waiver] {
        guard let environment, let all = try? await store.waivers(environment: environment) else { return [:] }
        var holding: [String: Waiver] = [:]
        for stored in all where stored.holds(at: date) { holding[stored.item] = stored.waiver }
        return holding
    }
}
