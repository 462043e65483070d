public import Foundation
public import ShipcheckCore

/// Emergency freezes as `freeze` records, ended early by `freeze-end` records: each an audit event,
/// and none rewritten, so that what was declared stays readable after it ends.
extension RunStore {
    static let freezeKind = "freeze"
    static let freezeEndKind = "freeze-end"

    struct FreezeBody: Codable {
        var reason: String
        /// Written by shipcheck before freeze ends were records of their own; still read.
        var endedBy: String?
        var declaredVia: Identity.Source?
        var endedVia: Identity.Source?
        var declaredUntil: Date?
        var signature: String?
    }

    struct FreezeEndBody: Codable {
        var via: Identity.Source?
        var signature: String?
    }

    /// What declaring a freeze signs.
    public static func freezeStatement(environment: String, reason: String, actor: String, from: Date, until: Date)
        -> DecisionStatement
    {
        DecisionStatement(
            kind: .freeze, subject: "emergency", environment: environment, actor: actor, until: until, reason: reason,
            at: from)
    }

    /// What ending the environment's freezes signs: every freeze declared before `at` ends then.
    public static func unfreezeStatement(environment: String, actor: String, at: Date) -> DecisionStatement {
        DecisionStatement(
            kind: .unfreeze, subject: "emergency", environment: environment, actor: actor, reason: nil, at: at)
    }

    public func declareFreeze(
        environment: String, reason: String, actor: Identity, from: Date, until: Date, signature: String? = nil
    ) async throws -> EmergencyFreeze {
        var freeze = EmergencyFreeze(
            id: "freeze-\(Self.eventID())", environment: environment, reason: reason, declaredBy: actor.name,
            from: from, until: until)
        freeze.declaredVia = actor.source
        try await put(
            StoredRecord(
                kind: Self.freezeKind, id: freeze.id, subject: freeze.reason, environment: environment,
                actor: actor.name, at: from, until: until,
                body: try Self.json(
                    FreezeBody(reason: reason, declaredVia: actor.source, declaredUntil: until, signature: signature))))
        return freeze
    }

    /// The environment's emergency freezes as the policy counts them, oldest first, and what it
    /// ignored. Reading fails closed: a record that cannot be read, or whose signature does not
    /// hold, is a freeze that holds until someone allowed to ends it; an end by someone who may not
    /// bypass the environment, or not signed where the environment needs it, is ignored.
    public func emergencyFreezes(environment: String, policy: Policy) async throws
        -> (freezes: [EmergencyFreeze], ignored: [String])
    {
        var ignored: [String] = []
        var ends: [(at: Date, by: String, via: Identity.Source?)] = []
        for record in try await records(kind: Self.freezeEndKind, environment: environment) {
            let body = try? JSONDecoder().decode(FreezeEndBody.self, from: Data(record.body.utf8))
            let actor = record.actor ?? "?"
            let name = "\(record.id) (the end of \(environment)'s freezes by \(actor))"
            let trust = policy.signers.trust(
                of: Self.unfreezeStatement(environment: environment, actor: actor, at: record.at),
                signature: body?.signature)
            if body == nil || record.actor == nil {
                ignored.append("\(name): the record cannot be read")
            } else if let why = policy.distrust(trust, via: body?.via, environment: environment) {
                ignored.append("\(name): \(why)")
            } else if let why = policy.ignoredBypass(by: actor, environment: environment) {
                ignored.append("\(name): \(why)")
            } else {
                ends.append((record.at, actor, body?.via))
            }
        }
        var freezes: [EmergencyFreeze] = []
        for stored in try await emergencyFreezes(environment: environment) {
            var freeze = stored.freeze
            if let endedBy = freeze.endedBy {
                // An end written into the freeze itself (older stores): it was never signed.
                if let why = policy.distrust(.claimed, via: freeze.endedVia, environment: environment)
                    ?? policy.ignoredBypass(by: endedBy, environment: freeze.environment)
                {
                    ignored.append("\(freeze.id) (the end of a freeze by \(endedBy)): \(why)")
                    freeze.until = stored.declaredUntil ?? .distantFuture
                    freeze.endedBy = nil
                }
            }
            if let why = stored.distrust(policy) {
                ignored.append("\(freeze.id) (declared by \(freeze.declaredBy)): \(why); it holds all the same")
            }
            if let end = ends.first(where: { $0.at >= freeze.from && $0.at < freeze.until }) {
                freeze.until = end.at
                freeze.endedBy = end.by
                freeze.endedVia = end.via
            }
            freezes.append(freeze)
        }
        return (freezes, ignored)
    }

    struct StoredFreeze {
        var freeze: EmergencyFreeze
        var declaredUntil: Date?
        var statement: DecisionStatement?
        var signature: String?

        func distrust(_ policy: Policy) -> String? {
            guard let statement else { return nil }
            return policy.distrust(
                policy.signers.trust(of: statement, signature: signature), via: freeze.declaredVia,
                environment: freeze.environment)
        }
    }

    /// Every emergency freeze record of the environment as stored, oldest first; a record that cannot
    /// be read is a freeze without end, naming the record.
    func emergencyFreezes(environment: String) async throws -> [StoredFreeze] {
        try await records(kind: Self.freezeKind, environment: environment).map { record in
            let body: FreezeBody
            do {
                body = try JSONDecoder().decode(FreezeBody.self, from: Data(record.body.utf8))
            } catch {
                let freeze = EmergencyFreeze(
                    id: record.id, environment: record.environment ?? environment,
                    reason:
                        "record \(record.id) cannot be read (\(error)); it holds until someone allowed to unfreeze ends it",
                    declaredBy: record.actor ?? "?", from: .distantPast, until: .distantFuture)
                return StoredFreeze(freeze: freeze)
            }
            var freeze = EmergencyFreeze(
                id: record.id, environment: record.environment ?? environment, reason: body.reason,
                declaredBy: record.actor ?? "?", from: record.at, until: record.until ?? .distantFuture,
                endedBy: body.endedBy)
            freeze.declaredVia = body.declaredVia
            freeze.endedVia = body.endedVia
            let statement = Self.freezeStatement(
                environment: freeze.environment, reason: body.reason, actor: freeze.declaredBy, from: record.at,
                until: body.declaredUntil ?? freeze.until)
            return StoredFreeze(
                freeze: freeze, declaredUntil: body.declaredUntil, statement: statement, signature: body.signature)
        }
    }

    /// Ends the freezes holding at `at` with one `freeze-end` record (judged as `policy` reads it);
    /// returns them as ended. The freezes' own records are left as they were declared.
    public func endFreezes(
        environment: String, actor: Identity, at: Date, policy: Policy, signature: String? = nil
    ) async throws -> [EmergencyFreeze] {
        let holding = try await emergencyFreezes(environment: environment, policy: policy).freezes.filter {
            $0.holds(at: at)
        }
        guard !holding.isEmpty else { return [] }
        try await put(
            StoredRecord(
                kind: Self.freezeEndKind, id: "freeze-end-\(Self.eventID())", subject: "emergency",
                environment: environment, actor: actor.name, at: at,
                body: try Self.json(FreezeEndBody(via: actor.source, signature: signature))))
        return holding.map { freeze in
            var freeze = freeze
            freeze.until = at
            freeze.endedBy = actor.name
            freeze.endedVia = actor.source
            return freeze
        }
    }
}
