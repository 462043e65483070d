public import Foundation
import ShipcheckChecks
public import ShipcheckCore
public import ShipcheckStore

/// The store as people read it: history as a table or JSON, one run whole, the audit log as JSON Lines.
public enum StoreViews {
    /// Opens the store a command names: `--store`, SHIPCHECK_STORE, the configuration's `store:`,
    /// else the SQLite file beside the configuration (or in the current directory without one). A
    /// configuration that does not load names no store.
    public static func open(flag: String?, configURL: URL?, environment: [String: String]) async throws -> RunStore {
        var configured: String?
        if let configURL, flag == nil, environment[StoreLocation.environmentVariable] == nil {
            configured = try? ConfigLoader(kinds: CheckKinds.all).load(file: configURL).store
        }
        let directory =
            configURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let location = StoreLocation.resolve(
            flag: flag, environment: environment, configured: configured, configDirectory: directory)
        return try await StoreLocation.open(location, environment: environment, configDirectory: directory)
    }

    public static func historyTable(_ runs: [RunSummary], now: Date = Date()) -> String {
        guard !runs.isEmpty else { return "no runs recorded\n" }
        var rows = [["RUN", "STARTED", "PHASE", "ENV", "TYPE", "OUTCOME", "TOOK", "COMMIT", "BY"]]
        for run in runs {
            rows.append([
                run.runID, StoreTime.text(run.startedAt).prefix(19).replacingOccurrences(of: "T", with: " "), run.phase,
                run.environment ?? "-", run.deployType ?? "-", run.outcome,
                run.finishedAt.map { Value.formatDuration($0.timeIntervalSince(run.startedAt)) } ?? "-",
                run.commit.map { String($0.prefix(8)) } ?? "-", run.actor,
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Each audit event on one line, in chain order.
    public static func jsonLines(_ events: [AuditEvent]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return events.compactMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) + "\n" }.joined()
    }

    /// A run's record as text: its status and provenance, then the terminal summary.
    public static func describe(_ run: StoredRun) -> [String] {
        var lines: [String] = []
        let status: String =
            switch run.status {
            case .finished(let verdict): verdict.rawValue
            case .running: "running (process \(run.pid.map(String.init) ?? "?") on \(run.host ?? "?"))"
            case .interrupted:
                "interrupted: the process ended before the run did (`shipcheck run --resume \(run.header.runID)` finishes it)"
            }
        lines.append("run \(run.header.runID): \(status)")
        let provenance = run.header.provenance
        if let commit = provenance.commit {
            lines.append(
                "commit \(commit)" + (provenance.dirty == true ? " (work tree changed)" : "")
                    + (provenance.branch.map { " on \($0)" } ?? ""))
        }
        if let digest = provenance.configDigest {
            lines.append("configuration \(run.header.config) sha256:\(digest.prefix(16))")
        }
        if let group = provenance.group {
            lines.append("group \(group)" + (provenance.shard.map { ", shard \($0)" } ?? ""))
        }
        let missing = run.header.itemIDs.filter { id in !run.items.contains { $0.id == id } }
        if !missing.isEmpty { lines.append("not recorded: " + missing.joined(separator: ", ")) }
        return lines
    }
}
