public import Foundation
public import ShipcheckCore

/// Emergency freezes as `freeze` records: declared with an end, ended early by rewriting the end
/// (each write an audit event).
extension RunStore {
    static let freezeKind = "freeze"

    struct FreezeBody: Codable {
        var reason: String
        var endedBy: String?
    }

    public func declareFreeze(environment: String, reason: String, actor: String, from: Date, until: Date)
        async throws -> EmergencyFreeze
    {
        let freeze = EmergencyFreeze(
            id: "freeze-\(Self.eventID())", environment: environment, reason: reason, declaredBy: actor, from: from,
            until: until)
        try await put(record(freeze))
        return freeze
    }

    /// Every emergency freeze of the environment, oldest first.
    public func emergencyFreezes(environment: String) async throws -> [EmergencyFreeze] {
        try await records(kind: Self.freezeKind, environment: environment).compactMap { record in
            guard let until = record.until,
                let body = try? JSONDecoder().decode(FreezeBody.self, from: Data(record.body.utf8))
            else { return nil }
            return EmergencyFreeze(
                id: record.id, environment: record.environment ?? environment, reason: body.reason,
                declaredBy: record.actor ?? "", from: record.at, until: until, endedBy: body.endedBy)
        }
    }

    /// Ends the freezes holding at `at`; returns them as ended.
    public func endFreezes(environment: String, actor: String, at: Date) async throws -> [EmergencyFreeze] {
        var ended: [EmergencyFreeze] = []
        for var freeze in try await emergencyFreezes(environment: environment) where freeze.holds(at: at) {
            freeze.until = at
            freeze.endedBy = actor
            try await put(record(freeze))
            ended.append(freeze)
        }
        return ended
    }

    func record(_ freeze: EmergencyFreeze) throws -> StoredRecord {
        StoredRecord(
            kind: Self.freezeKind, id: freeze.id, subject: freeze.reason, environment: freeze.environment,
            actor: freeze.declaredBy, at: freeze.from, until: freeze.until,
            body: try Self.json(FreezeBody(reason: freeze.reason, endedBy: freeze.endedBy)))
    }
}
