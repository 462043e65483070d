public import Foundation
public import ShipcheckCore

/// A signed head of the audit chain: its sequence number and hash at a time, signed with a
/// person's SSH key (`shipcheck audit checkpoint --key K`). Kept in the store and, better, anywhere
/// else: a chain cut short before it, or rewritten up to it with every later hash recomputed, no
/// longer holds that hash at that number, and nobody without the key can sign a new checkpoint.
public struct AuditCheckpoint: Sendable, Hashable, Codable {
    public var seq: Int64
    public var hash: String
    /// Milliseconds since 1970 (UTC).
    public var at: Int64
    public var signer: String
    public var signature: String

    static let header = "shipcheck-checkpoint-v1"

    public init(seq: Int64, hash: String, at: Date, signer: String, signature: String = "") {
        self.seq = seq
        self.hash = hash
        self.at = DecisionStatement.milliseconds(at)
        self.signer = signer
        self.signature = signature
    }

    public var date: Date { Date(timeIntervalSince1970: Double(at) / 1000) }

    /// What is signed; nil when the signer's name holds a line break.
    public var canonicalText: String? {
        guard !signer.contains(where: \.isNewline), !hash.contains(where: \.isNewline) else { return nil }
        return "\(Self.header)\nseq=\(seq)\nhash=\(hash)\nat=\(at)\nsigner=\(signer)\n"
    }

    /// What is wrong with this checkpoint or with `events` against it; empty when the chain still
    /// holds the signed head. `name` says where the checkpoint came from.
    public func problems(events: [AuditEvent], verifier: DecisionVerifier, name: String, now: Date = Date())
        -> [AuditProblem]
    {
        let label = "checkpoint of #\(seq) (\(name), signed by \(signer))"
        guard let text = canonicalText else {
            return [AuditProblem(eventID: nil, seq: seq, message: "\(label): it holds a line break, which none may")]
        }
        switch verifier.verify(Data(text.utf8), signature: signature, as: signer, signedAt: date, now: now) {
        case .rejected(let why):
            return [AuditProblem(eventID: nil, seq: seq, message: "\(label) counts for nothing: \(why)")]
        case .claimed:
            return [AuditProblem(eventID: nil, seq: seq, message: "\(label) is not signed")]
        case .signed: break
        }
        guard let event = events.first(where: { $0.seq == seq }) else {
            let last = events.map(\.seq).max()
            return [
                AuditProblem(
                    eventID: nil, seq: seq,
                    message:
                        "truncated: \(label) signed event #\(seq), and the chain \(last.map { "ends at #\($0)" } ?? "is empty")"
                )
            ]
        }
        guard event.hash == hash else {
            return [
                AuditProblem(
                    eventID: event.id, seq: seq,
                    message:
                        "rewritten: \(label) signed the hash \(hash.prefix(12))…, and the chain now holds \(event.hash.prefix(12))… there"
                )
            ]
        }
        return []
    }
}

extension RunStore {
    static let checkpointKind = "checkpoint"

    /// The head of the audit chain now: its last event's number and hash; nil when it is empty.
    public func auditHead() async throws -> (seq: Int64, hash: String)? {
        try await backend.events().last.map { ($0.seq, $0.hash) }
    }

    public func recordCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
        try await put(
            StoredRecord(
                kind: Self.checkpointKind, id: "checkpoint-\(checkpoint.seq)-\(Self.eventID())",
                subject: String(checkpoint.seq), actor: checkpoint.signer, at: checkpoint.date,
                body: try Self.json(checkpoint)))
    }

    /// The checkpoints kept in the store, oldest first, each with its record's id; a record that
    /// cannot be read is named as a problem of its own.
    public func checkpoints() async throws -> (
        checkpoints: [(id: String, checkpoint: AuditCheckpoint)], unreadable: [String]
    ) {
        var found: [(String, AuditCheckpoint)] = []
        var unreadable: [String] = []
        for record in try await records(kind: Self.checkpointKind) {
            if let checkpoint = try? JSONDecoder().decode(AuditCheckpoint.self, from: Data(record.body.utf8)) {
                found.append((record.id, checkpoint))
            } else {
                unreadable.append(record.id)
            }
        }
        return (found, unreadable)
    }
}
