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

    /// Every emergency freeze of the environment, oldest first.
    public func emergencyFreezes(environment: String) async throws -> [EmergencyFreeze] {
        try await records(kind: Self.freezeKind, environment: environment).compactMap { record in
            guard let until = record.until,
                let body = try? JSONDecoder().decode(FreezeBody.self, from: Data(record.body.utf8))
            else { return nil }
            var freeze = EmergencyFreeze(
                id: record.id, environment: record.environment ?? environment, reason: body.reason,
                declaredBy: record.actor ?? "", from: record.at, until: until, endedBy: body.endedBy)
            freeze.declaredVia = body.declaredVia
            freeze.endedVia = body.endedVia
            return freeze
        }
    }

    /// Ends the freezes holding at `at`; returns them as ended.
    public func endFreezes(environment: String, actor: Identity, at: Date) async throws -> [EmergencyFreeze] {
        var ended: [EmergencyFreeze] = []
        for var freeze in try await emergencyFreezes(environment: environment) where freeze.holds(at: at) {
            freeze.until = at
            freeze.endedBy = actor.name
            freeze.endedVia = actor.source
            try await put(record(freeze))
            ended.append(freeze)
        }
        return ended
    }

    func record(_ freeze: EmergencyFreeze) throws -> StoredRecord {
        StoredRecord(
            kind: Self.freezeKind, id: freeze.id, subject: freeze.reason, environment: freeze.environment,
            actor: freeze.declaredBy, at: freeze.from, until: freeze.until,
            body: try Self.json(
                FreezeBody(
                    reason: freeze.reason, endedBy: freeze.endedBy, declaredVia: freeze.declaredVia,
                    endedVia: freeze.endedVia)))
    }
}
