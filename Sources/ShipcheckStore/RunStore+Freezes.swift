public import Foundation
public import ShipcheckCore

/// Emergency freezes as `freeze` records: declared with an end, ended early by rewriting the end
/// (each write an audit event).
extension RunStore {
    static let freezeKind = "freeze"

    struct FreezeBody: Codable {
        var reason: String
        var endedBy: String?
        var declaredVia: Identity.Source?
        var endedVia: Identity.Source?
        /// The end it was declared with, kept when it is ended early: an end by someone who may not
        /// bypass the environment is ignored when read, and the freeze holds until this.
        var declaredUntil: Date?
    }

    public func declareFreeze(environment: String, reason: String, actor: Identity, from: Date, until: Date)
        async throws -> EmergencyFreeze
    {
        var freeze = EmergencyFreeze(
            id: "freeze-\(Self.eventID())", environment: environment, reason: reason, declaredBy: actor.name,
            from: from, until: until)
        freeze.declaredVia = actor.source
        try await put(record(freeze))
        return freeze
    }

    /// The environment's emergency freezes as the policy counts them, oldest first, and what it
    /// ignored. Reading fails closed: a record that cannot be read is a freeze that holds until
    /// someone allowed to ends it, and an early end by someone who may not bypass the environment
    /// is ignored (the freeze holds until its declared end).
    public func emergencyFreezes(environment: String, policy: Policy) async throws
        -> (freezes: [EmergencyFreeze], ignored: [String])
    {
        var ignored: [String] = []
        let freezes = try await emergencyFreezes(environment: environment).map { stored in
            var freeze = stored.freeze
            if let endedBy = freeze.endedBy,
                let why = policy.ignoredBypass(by: endedBy, environment: freeze.environment)
            {
                ignored.append("\(freeze.id) (the end of a freeze by \(endedBy)): \(why)")
                freeze.until = stored.declaredUntil ?? .distantFuture
                freeze.endedBy = nil
            }
            return freeze
        }
        return (freezes, ignored)
    }

    /// Every emergency freeze record of the environment as stored, oldest first; a record that cannot
    /// be read is a freeze without end, naming the record.
    func emergencyFreezes(environment: String) async throws -> [(freeze: EmergencyFreeze, declaredUntil: Date?)] {
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
                return (freeze, nil)
            }
            var freeze = EmergencyFreeze(
                id: record.id, environment: record.environment ?? environment, reason: body.reason,
                declaredBy: record.actor ?? "?", from: record.at, until: record.until ?? .distantFuture,
                endedBy: body.endedBy)
            freeze.declaredVia = body.declaredVia
            freeze.endedVia = body.endedVia
            return (freeze, body.declaredUntil)
        }
    }

    /// Ends the freezes holding at `at` (judged as `policy` reads them); returns them as ended.
    public func endFreezes(environment: String, actor: Identity, at: Date, policy: Policy) async throws
        -> [EmergencyFreeze]
    {
        let declared = Dictionary(
            try await emergencyFreezes(environment: environment).map { ($0.freeze.id, $0.declaredUntil) },
            uniquingKeysWith: { first, _ in first })
        var ended: [EmergencyFreeze] = []
        for var freeze in try await emergencyFreezes(environment: environment, policy: policy).freezes
        where freeze.holds(at: at) {
            let declaredUntil = (declared[freeze.id] ?? nil) ?? freeze.until
            freeze.until = at
            freeze.endedBy = actor.name
            freeze.endedVia = actor.source
            try await put(record(freeze, declaredUntil: declaredUntil))
            ended.append(freeze)
        }
        return ended
    }

    func record(_ freeze: EmergencyFreeze, declaredUntil: Date? = nil) throws -> StoredRecord {
        StoredRecord(
            kind: Self.freezeKind, id: freeze.id, subject: freeze.reason, environment: freeze.environment,
            actor: freeze.declaredBy, at: freeze.from, until: freeze.until,
            body: try Self.json(
                FreezeBody(
                    reason: freeze.reason, endedBy: freeze.endedBy, declaredVia: freeze.declaredVia,
                    endedVia: freeze.endedVia, declaredUntil: declaredUntil)))
    }
}
