public import Foundation
public import ShipcheckCore

/// Waivers as `waiver` records: an item of an environment bypassed by someone allowed to, with the
/// reason and an end; each one an audit event.
extension RunStore {
    static let waiverKind = "waiver"
    /// A waiver of a calendar rule (window, freeze, runway) rather than of an item.
    static let overrideKind = "override"

    struct WaiverBody: Codable {
        var reason: String
        var via: Identity.Source?
    }

    /// A waiver of `item` (or of a calendar rule) in `environment` as recorded, with the record's id.
    public struct StoredWaiver: Sendable, Hashable, Codable {
        public var id: String
        public var item: String
        public var environment: String
        public var waiver: Waiver

        public func holds(at date: Date) -> Bool {
            waiver.at <= date && (waiver.expires.map { date < $0 } ?? true)
        }
    }

    public func recordWaiver(item: String, environment: String, actor: Identity, reason: String, at: Date, until: Date)
        async throws -> StoredWaiver
    {
        try await recordBypass(
            kind: Self.waiverKind, subject: item, environment: environment, actor: actor, reason: reason, at: at,
            until: until)
    }

    /// Lets deploys to `environment` start despite `rule` (the window, a configured freeze, the runway)
    /// until `until`.
    public func recordOverride(
        rule: PolicyBlock.Rule, environment: String, actor: Identity, reason: String, at: Date, until: Date
    ) async throws -> StoredWaiver {
        try await recordBypass(
            kind: Self.overrideKind, subject: rule.rawValue, environment: environment, actor: actor, reason: reason,
            at: at, until: until)
    }

    /// Every waiver recorded for the environment, oldest first, in force or not.
    public func waivers(environment: String) async throws -> [StoredWaiver] {
        try await bypasses(kind: Self.waiverKind, environment: environment)
    }

    /// Every override of a calendar rule recorded for the environment, oldest first; `item` is the rule.
    public func overrides(environment: String) async throws -> [StoredWaiver] {
        try await bypasses(kind: Self.overrideKind, environment: environment)
    }

    /// The overrides in force at `date`, by rule.
    public func overridesInForce(environment: String, at date: Date) async throws -> [PolicyBlock.Rule: Waiver] {
        var holding: [PolicyBlock.Rule: Waiver] = [:]
        for stored in try await overrides(environment: environment) where stored.holds(at: date) {
            if let rule = PolicyBlock.Rule(rawValue: stored.item) { holding[rule] = stored.waiver }
        }
        return holding
    }

    private func recordBypass(
        kind: String, subject: String, environment: String, actor: Identity, reason: String, at: Date, until: Date
    ) async throws -> StoredWaiver {
        let stored = StoredWaiver(
            id: "\(kind)-\(Self.eventID())", item: subject, environment: environment,
            waiver: Waiver(actor: actor.name, reason: reason, at: at, expires: until, via: actor.source))
        try await put(
            StoredRecord(
                kind: kind, id: stored.id, subject: subject, environment: environment, actor: actor.name, at: at,
                until: until, body: try Self.json(WaiverBody(reason: reason, via: actor.source))))
        return stored
    }

    private func bypasses(kind: String, environment: String) async throws -> [StoredWaiver] {
        try await records(kind: kind, environment: environment).compactMap { record in
            guard let subject = record.subject,
                let body = try? JSONDecoder().decode(WaiverBody.self, from: Data(record.body.utf8))
            else { return nil }
            return StoredWaiver(
                id: record.id, item: subject, environment: environment,
                waiver: Waiver(
                    actor: record.actor ?? "", reason: body.reason, at: record.at, expires: record.until, via: body.via)
            )
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
