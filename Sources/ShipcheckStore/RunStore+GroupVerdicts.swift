public import Foundation
public import ShipcheckCore

/// The merged verdict of a sharded gate (`shipcheck verdict --group G`) as a `group-verdict` record:
/// the whole gate as one run, with the shards that were missing, audited like every write. A new
/// verdict of a group is a record of its own beside the earlier ones (records are never rewritten);
/// the newest counts, and `show G` or `export G` read it like a run.
extension RunStore {
    static let groupVerdictKind = "group-verdict"

    public struct GroupVerdictRecord: Sendable, Codable {
        public var result: RunResult
        /// Shards that never finished, with why.
        public var missing: [String]
    }

    public func recordGroupVerdict(_ result: RunResult, missing: [String], actor: String?, at: Date) async throws {
        try await put(
            StoredRecord(
                kind: Self.groupVerdictKind, id: "\(result.runID)/verdict-\(Self.eventID())", subject: result.runID,
                environment: result.environment, actor: actor, at: at,
                body: try Self.json(GroupVerdictRecord(result: result, missing: missing))))
    }

    /// The group's newest merged verdict, as a finished run.
    public func groupVerdict(_ group: String) async throws -> StoredRun? {
        // Stores written before verdicts were appended keep one record whose id is the group.
        let appended = try await records(kind: Self.groupVerdictKind, subject: group)
        let newest = appended.isEmpty ? try await records(kind: Self.groupVerdictKind, id: group).last : appended.last
        guard
            let record = newest,
            let body = try? Self.decoder().decode(GroupVerdictRecord.self, from: Data(record.body.utf8))
        else { return nil }
        let result = body.result
        let header = RunHeader(
            runID: result.runID, toolVersion: result.toolVersion, project: result.project, config: result.config,
            phase: result.phase, environment: result.environment, deployType: result.deployType, actor: result.actor,
            startedAt: result.startedAt, release: result.release, itemIDs: result.items.map(\.id),
            resumedItemIDs: [], provenance: result.provenance ?? RunProvenance(), only: [], skip: [])
        return StoredRun(
            header: header, items: result.items, finishedAt: result.finishedAt, status: .finished(result.verdict),
            host: nil, pid: nil)
    }
}
