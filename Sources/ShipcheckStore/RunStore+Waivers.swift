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
        var signature: String? = nil
    }

    /// A waiver of `item` (or of a calendar rule) in `environment` as recorded, with the record's id.
    public struct StoredWaiver: Sendable, Hashable, Codable {
        public var id: String
        public var item: String
        public var environment: String
        public var waiver: Waiver
        /// Why the record's body could not be read, when it could not: such a record counts for nothing.
        public var unreadable: String? = nil

        public func holds(at date: Date) -> Bool {
            waiver.at <= date && (waiver.expires.map { date < $0 } ?? true)
        }
    }

    /// What a waiver (`.waiver`) or an override (`.override`) signs.
    public static func bypassStatement(
        _ kind: DecisionStatement.Kind, subject: String, environment: String, actor: String, reason: String, at: Date,
        until: Date?
    ) -> DecisionStatement {
        DecisionStatement(
            kind: kind, subject: subject, environment: environment, actor: actor, until: until, reason: reason, at: at)
    }

    public func recordWaiver(
        item: String, environment: String, actor: Identity, reason: String, at: Date, until: Date,
        signature: String? = nil
    ) async throws -> StoredWaiver {
        try await recordBypass(
            kind: Self.waiverKind, subject: item, environment: environment, actor: actor, reason: reason, at: at,
            until: until, signature: signature)
    }

    /// Lets deploys to `environment` start despite `rule` (the window, a configured freeze, the runway)
    /// until `until`.
    public func recordOverride(
        rule: PolicyBlock.Rule, environment: String, actor: Identity, reason: String, at: Date, until: Date,
        signature: String? = nil
    ) async throws -> StoredWaiver {
        try await recordBypass(
            kind: Self.overrideKind, subject: rule.rawValue, environment: environment, actor: actor, reason: reason,
            at: at, until: until, signature: signature)
    }

    /// Every waiver recorded for the environment, oldest first, in force or not.
    public func waivers(environment: String) async throws -> [StoredWaiver] {
        try await bypasses(kind: Self.waiverKind, environment: environment)
    }

    /// Every override of a calendar rule recorded for the environment, oldest first; `item` is the rule.
    public func overrides(environment: String) async throws -> [StoredWaiver] {
        try await bypasses(kind: Self.overrideKind, environment: environment)
    }

    /// Bypasses in force, as the policy counts them when they are read: those whose author may
    /// bypass the environment hold; the rest (a row written straight into the store by someone
    /// else, a record that cannot be read) count for nothing and are named with why.
    public struct BypassesInForce<Key: Hashable & Sendable>: Sendable {
        public var holding: [Key: Waiver] = [:]
        public var ignored: [String] = []
    }

    /// The waivers of items in force at `date`, judged by `policy`.
    public func waiversInForce(environment: String, at date: Date, policy: Policy) async throws
        -> BypassesInForce<String>
    {
        judged(
            try await waivers(environment: environment), kind: .waiver, what: "waiver of", at: date, policy: policy
        ) { $0 }
    }

    /// The overrides of calendar rules in force at `date`, judged by `policy`.
    public func overridesInForce(environment: String, at date: Date, policy: Policy) async throws
        -> BypassesInForce<PolicyBlock.Rule>
    {
        judged(
            try await overrides(environment: environment), kind: .override, what: "override of the", at: date,
            policy: policy
        ) {
            PolicyBlock.Rule(rawValue: $0)
        }
    }

    private func judged<Key>(
        _ records: [StoredWaiver], kind: DecisionStatement.Kind, what: String, at date: Date, policy: Policy,
        key: (String) -> Key?
    ) -> BypassesInForce<Key> {
        var result = BypassesInForce<Key>()
        for var stored in records where stored.holds(at: date) {
            let name = "\(stored.id) (\(what) `\(stored.item)` by \(stored.waiver.actor))"
            stored.waiver.trust = policy.signers.trust(
                of: Self.bypassStatement(
                    kind, subject: stored.item, environment: stored.environment, actor: stored.waiver.actor,
                    reason: stored.waiver.reason, at: stored.waiver.at, until: stored.waiver.expires),
                signature: stored.waiver.signature, now: date)
            if let problem = stored.unreadable {
                result.ignored.append("\(name): the record cannot be read (\(problem))")
            } else if let why = policy.distrust(
                stored.waiver.trust, via: stored.waiver.via, environment: stored.environment)
            {
                result.ignored.append("\(name): \(why)")
            } else if let why = policy.ignoredBypass(by: stored.waiver.actor, environment: stored.environment) {
                result.ignored.append("\(name): \(why)")
            } else if let key = key(stored.item) {
                result.holding[key] = stored.waiver
            } else {
                result.ignored.append("\(name): `\(stored.item)` is not a rule that can be overridden")
            }
        }
        return result
    }

    private func recordBypass(
        kind: String, subject: String, environment: String, actor: Identity, reason: String, at: Date, until: Date,
        signature: String?
    ) async throws -> StoredWaiver {
        var stored = StoredWaiver(
            id: "\(kind)-\(Self.eventID())", item: subject, environment: environment,
            waiver: Waiver(actor: actor.name, reason: reason, at: at, expires: until, via: actor.source))
        stored.waiver.signature = signature
        try await put(
            StoredRecord(
                kind: kind, id: stored.id, subject: subject, environment: environment, actor: actor.name, at: at,
                until: until,
                body: try Self.json(WaiverBody(reason: reason, via: actor.source, signature: signature))))
        return stored
    }

    private func bypasses(kind: String, environment: String) async throws -> [StoredWaiver] {
        try await records(kind: kind, environment: environment).map { record in
            var unreadable: String?
            var body = WaiverBody(reason: "")
            do {
                body = try JSONDecoder().decode(WaiverBody.self, from: Data(record.body.utf8))
            } catch {
                unreadable = "its body is not a \(kind) record: \(error)"
            }
            if record.subject == nil { unreadable = "it names no subject" }
            if record.actor == nil { unreadable = "it names no author" }
            return StoredWaiver(
                id: record.id, item: record.subject ?? "?", environment: environment,
                waiver: {
                    var waiver = Waiver(
                        actor: record.actor ?? "?", reason: body.reason, at: record.at, expires: record.until,
                        via: body.via)
                    waiver.signature = body.signature
                    return waiver
                }(),
                unreadable: unreadable)
        }
    }
}

/// Waivers judged once, before the run, as the engine's source of waivers in force.
public struct JudgedWaivers: WaiverSource {
    public let waivers: [String: Waiver]

    public init(_ waivers: [String: Waiver]) { self.waivers = waivers }

    public func waivers(environment: String?, at date: Date) async -> [String: Waiver] {
        waivers.filter { _, waiver in waiver.at <= date && (waiver.expires.map { date < $0 } ?? true) }
    }
}
