public import Foundation
import ShipcheckChecks
import ShipcheckCore
public import ShipcheckStore

/// The store as people read it: history as a table or JSON, one run whole, the audit log as JSON Lines.
public enum StoreViews {
    /// Opens the store a command names: `--store`, SHIPCHECK_STORE, the configuration's `store:`,
    /// else the SQLite file beside the configuration (or in the current directory without one). A
    /// configuration that does not load names no store.
    public static func open(
        flag: String?, configURL: URL?, environment: [String: String], access: StoreLocation.Access = .readWrite
    ) async throws -> RunStore {
        if let flag { try StoreLocation.checkFlag(flag) }
        var configured: String?
        if let configURL, flag == nil, environment[StoreLocation.environmentVariable] == nil {
            configured = try? ConfigLoader(kinds: CheckKinds.all).load(file: configURL).store
        }
        let directory =
            configURL?.deletingLastPathComponent() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let location = StoreLocation.resolve(
            flag: flag, environment: environment, configured: configured, configDirectory: directory)
        return try await StoreLocation.open(
            location, environment: environment, configDirectory: directory, access: access)
    }

    public static func historyTable(_ runs: [RunSummary], now: Date = Date()) -> String {
        guard !runs.isEmpty else { return "no runs recorded\n" }
        var rows = [["RUN", "STARTED", "PHASE", "ENV", "TYPE", "OUTCOME", "TOOK", "COMMIT", "BY"]]
        for run in runs {
            rows.append([
                run.runID, StoreTime.text(run.startedAt).prefix(19).replacingOccurrences(of: "T", with: " "), run.phase,
                run.environment ?? "-", run.deployType ?? "-", run.outcome + Self.share(run.shard),
                run.finishedAt.map { Value.formatDuration($0.timeIntervalSince(run.startedAt)) } ?? "-",
                run.commit.map { String($0.prefix(8)) } ?? "-", run.actor,
            ])
        }
        return table(rows)
    }

    /// What part of its phase a run covered, when not the whole gate: ` (partial)`, ` (shard 2/5)`.
    static func share(_ shard: String?) -> String {
        guard let shard, !RunStore.isWholeGate(shard: shard) else { return "" }
        return shard == RunStore.partialShard ? " (partial)" : " (shard \(shard))"
    }

    /// Deploys the calendar refused, newest first: when, where, who, and what blocked them.
    public static func refusalTable(_ refusals: [RunStore.Refusal]) -> String {
        guard !refusals.isEmpty else { return "no refused deploys recorded\n" }
        var rows = [["AT", "PHASE", "ENV", "TYPE", "COMMIT", "BY", "BLOCKED BY"]]
        for refusal in refusals {
            rows.append([
                refusal.at.map { StoreTime.text($0).prefix(19).replacingOccurrences(of: "T", with: " ") } ?? "-",
                refusal.phase.rawValue, refusal.environment ?? "-", refusal.deployType ?? "-",
                refusal.commit.map { String($0.prefix(8)) } ?? "-", refusal.actor,
                refusal.blocks.map(\.rule.rawValue).joined(separator: ", "),
            ])
        }
        return table(rows)
    }

    public static func deploymentTable(_ deployments: [Deployment]) -> String {
        guard !deployments.isEmpty else { return "no deployments recorded\n" }
        var rows = [["DEPLOYMENT", "STARTED", "ENV", "VERSION", "STATUS", "BY", "ROLLBACK"]]
        for deployment in deployments {
            rows.append([
                deployment.id, StoreTime.text(deployment.startedAt).prefix(19).replacingOccurrences(of: "T", with: " "),
                deployment.environment, deployment.version ?? "-", deployment.status.rawValue, deployment.actor,
                deployment.rollback.map { ($0.automatic ? "automatic: " : "by hand: ") + $0.reason } ?? "-",
            ])
        }
        return table(rows)
    }

    /// Columns padded to their widest cell; the last is not padded.
    static func table(_ rows: [[String]]) -> String {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// The figures, then one line per week.
    public static func metricsTable(_ metrics: DeliveryMetrics) -> String {
        func time(_ seconds: Double?) -> String {
            guard let seconds else { return "-" }
            if seconds >= 86_400 { return String(format: "%.1fd", seconds / 86_400) }
            if seconds >= 3600 { return String(format: "%.1fh", seconds / 3600) }
            return Value.formatDuration(seconds)
        }
        let since = StoreTime.text(metrics.since).prefix(10)
        let until = StoreTime.text(metrics.until).prefix(10)
        var out =
            "Delivery metrics \(since) to \(until)" + (metrics.environment.map { ", \($0)" } ?? ", every environment")
        out += " (definitions: docs/metrics.md)\n\n"
        let rate = metrics.changeFailureRate.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
        let rows: [(String, String)] = [
            (
                "Deployment frequency",
                String(format: "%.2f per week", metrics.deploysPerWeek)
                    + " (\(metrics.successfulDeploys) successful of \(metrics.deploys) deploys)"
            ),
            ("Lead time for changes", time(metrics.leadTimeMedian) + " (median, commit to deploy)"),
            (
                "Change failure rate",
                rate + " (\(metrics.failedOrRolledBack) failed or rolled back of \(metrics.deploys))"
            ),
            (
                "Time to restore",
                time(metrics.timeToRestoreMedian) + " (median"
                    + (metrics.notRestored > 0 ? "; \(metrics.notRestored) not restored yet)" : ")")
            ),
            (
                "Stopped by the gate",
                "\(metrics.stoppedByGate) pre-deploy run\(metrics.stoppedByGate == 1 ? "" : "s") failed"
            ),
        ]
        var all = rows
        if let rollbacks = metrics.rollbacks {
            all.append(
                (
                    "Rollbacks (deploy)",
                    "\(rollbacks.automatic) automatic, \(rollbacks.byHand) by hand in \(rollbacks.deployments) deployments; "
                        + "\(rollbacks.restored) restored in \(time(rollbacks.timeToRecoverMedian)) (median, trigger to service back)"
                        + (rollbacks.notRestored > 0 ? ", \(rollbacks.notRestored) NOT restored" : "")
                ))
        }
        for (name, value) in all { out += name.padding(toLength: 23, withPad: " ", startingAt: 0) + value + "\n" }
        out += "\nWEEK        DEPLOYS  SUCCESSFUL  FAILED/ROLLED BACK  STOPPED\n"
        for week in metrics.weeks {
            out += String(StoreTime.text(week.start).prefix(10)) + "  "
            out += "\(week.deploys)".padding(toLength: 9, withPad: " ", startingAt: 0)
            out += "\(week.successfulDeploys)".padding(toLength: 12, withPad: " ", startingAt: 0)
            out += "\(week.failedOrRolledBack)".padding(toLength: 20, withPad: " ", startingAt: 0)
            out += "\(week.stoppedByGate)\n"
        }
        return out
    }

    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(value) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Each row on one line after the events, `{"row": {table, key, columns, cells}}`, so that a
    /// verifier outside Shipcheck can recompute its digest (docs/trust.md); NULL cells are null.
    public static func jsonLines(_ rows: [StoreRow]) -> String {
        rows.compactMap { row -> String? in
            var cells: [String: Any] = [:]
            for column in row.table.columns { cells[column] = row[column] ?? NSNull() }
            let line: [String: Any] = [
                "row": ["table": row.table.rawValue, "key": row.key, "columns": row.table.columns, "cells": cells]
            ]
            guard
                let data = try? JSONSerialization.data(
                    withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            else { return nil }
            return String(decoding: data, as: UTF8.self) + "\n"
        }.joined()
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

extension Deployment {
    /// The deployment as text: what, who, how it ended, then each step with its run.
    public var lines: [String] {
        var lines = [
            "deployment \(id): \(status.rawValue)",
            "  environment \(environment)" + (deployType.map { ", type \($0)" } ?? "")
                + (version.map { ", version \($0)" } ?? "") + (previousVersion.map { " (before: \($0))" } ?? ""),
            "  by \(actor)" + (via.map { " (\($0.rawValue))" } ?? "") + ", started \(StoreTime.text(startedAt))"
                + (finishedAt.map { ", finished \(StoreTime.text($0))" } ?? ""),
        ]
        if let commit { lines.append("  commit \(commit.prefix(12))") }
        for step in steps {
            lines.append(
                "  \(step.name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(step.outcome)"
                    + (step.run.map { "  run \($0)" } ?? "") + (step.detail.map { "  — \($0)" } ?? ""))
        }
        for trigger in triggers { lines.append("  trigger: \(trigger)") }
        if let rollback {
            lines.append(
                "  rollback: \(rollback.automatic ? "automatic" : "by hand") (\(rollback.reason)), "
                    + (rollback.restored == true ? "service restored" : "service NOT restored")
                    + (rollback.finishedAt.map {
                        " after \(Value.formatDuration($0.timeIntervalSince(rollback.startedAt)))"
                    } ?? ""))
        }
        for note in notes { lines.append("  note: \(note)") }
        return lines
    }

    /// The record as JSON, dates in ISO 8601.
    public var json: String { StoreViews.json(self) }
}
