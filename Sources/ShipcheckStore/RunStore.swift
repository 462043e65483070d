public import Foundation
public import ShipcheckCore

/// A stored run: its header, the results recorded so far, and whether it finished.
public struct StoredRun: Sendable {
    public enum Status: Sendable, Hashable {
        case finished(Verdict)
        /// Not finished, and its process is still alive (or on another machine).
        case running
        /// Not finished, and its process is gone: killed, crashed, or the machine stopped.
        case interrupted
    }

    public var header: RunHeader
    public var items: [ItemResult]
    public var finishedAt: Date?
    public var status: Status
    public var host: String?
    public var pid: Int32?

    /// The run as the reporters take it; an unfinished run ends at its last recorded result and is
    /// interrupted, with only the items it recorded.
    public var result: RunResult {
        let recorded = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        let ordered = header.itemIDs.compactMap { recorded[$0] } + items.filter { !header.itemIDs.contains($0.id) }
        let lastResult = items.compactMap { item in item.startedAt.map { $0.addingTimeInterval(item.duration) } }.max()
        return RunResult(
            schemaVersion: RunResult.schemaVersion, runID: header.runID, toolVersion: header.toolVersion,
            project: header.project, config: header.config, phase: header.phase, environment: header.environment,
            deployType: header.deployType, actor: header.actor, startedAt: header.startedAt,
            finishedAt: finishedAt ?? lastResult ?? header.startedAt,
            interrupted: {
                if case .finished(let verdict) = status { return verdict == .interrupted }
                return true
            }(), items: ordered, release: header.release, provenance: header.provenance)
    }
}

/// One line of `shipcheck history`.
public struct RunSummary: Sendable, Codable, Hashable {
    public var runID: String
    public var phase: String
    public var environment: String?
    public var deployType: String?
    public var actor: String
    public var startedAt: Date
    public var finishedAt: Date?
    /// The verdict, or `running` / `interrupted` for a run that did not finish.
    public var outcome: String
    public var commit: String?
    public var branch: String?
    public var group: String?
    public var shard: String?
}

/// What `history` asks for.
public struct HistoryQuery: Sendable {
    public var environment: String?
    public var deployType: String?
    public var phase: String?
    /// A verdict (`passed`, `failed`, `error`, `interrupted`) or `running`.
    public var outcome: String?
    public var group: String?
    public var since: Date?
    public var limit: Int?
    public var commit: String?
    /// Only runs that stand for a whole gate: no `--only`/`--skip` run, no single shard.
    public var wholeGatesOnly = false

    public init(
        environment: String? = nil, deployType: String? = nil, phase: String? = nil, outcome: String? = nil,
        group: String? = nil, since: Date? = nil, limit: Int? = nil, commit: String? = nil,
        wholeGatesOnly: Bool = false
    ) {
        self.commit = commit
        self.wholeGatesOnly = wholeGatesOnly
        self.environment = environment
        self.deployType = deployType
        self.phase = phase
        self.outcome = outcome
        self.group = group
        self.since = since
        self.limit = limit
    }
}

/// A policy or deploy record: a sign-off, waiver, freeze, lock or deployment. Each kind keeps its
/// own fields in `body` (JSON); the columns are what queries select on.
public struct StoredRecord: Sendable, Hashable {
    public var kind: String
    public var id: String
    public var subject: String?
    public var environment: String?
    public var actor: String?
    public var at: Date
    public var until: Date?
    public var body: String

    public init(
        kind: String, id: String, subject: String? = nil, environment: String? = nil, actor: String? = nil,
        at: Date, until: Date? = nil, body: String = "{}"
    ) {
        self.kind = kind
        self.id = id
        self.subject = subject
        self.environment = environment
        self.actor = actor
        self.at = at
        self.until = until
        self.body = body
    }
}

/// The run store: what every run recorded, the policy and deploy records, and the audit chain over
/// all of it. The logic lives here once; a backend only keeps rows.
public struct RunStore: Sendable {
    public let backend: any StoreBackend
    /// This process, recorded with a run so that a later reader can tell a dead run from a live one.
    public var host: String
    public var pid: Int32
    public var now: @Sendable () -> Date
    /// Whether a process on this host is alive; runs of other hosts are taken as running.
    public var isAlive: @Sendable (Int32) -> Bool
    /// When the kernel started a process, as an opaque token: recorded beside the pid, so that a
    /// later process given the same pid is not taken for the run's.
    public var processStart: @Sendable (Int32) -> String?
    /// Evidence larger than this (a fact's text) is cut to its head and tail before it is stored.
    public var evidenceLimit = 64 * 1024

    public init(
        backend: any StoreBackend, host: String = ProcessInfo.processInfo.hostName,
        pid: Int32 = ProcessInfo.processInfo.processIdentifier, now: @escaping @Sendable () -> Date = { Date() },
        isAlive: @escaping @Sendable (Int32) -> Bool = RunStore.processIsAlive,
        processStart: @escaping @Sendable (Int32) -> String? = RunStore.processStartTime
    ) {
        self.backend = backend
        self.host = host
        self.pid = pid
        self.now = now
        self.isAlive = isAlive
        self.processStart = processStart
    }

    /// The process's start as the kernel counts it (Linux: clock ticks since boot, from
    /// /proc/PID/stat; macOS: `p_starttime`), or nil when it cannot be read.
    @Sendable public static func processStartTime(_ pid: Int32) -> String? {
        #if os(Linux)
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After "PID (COMMAND)": state is field 3, starttime field 22.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 19 ? String(fields[19]) : nil
        #elseif canImport(Darwin)
            var info = kinfo_proc()
            var size = MemoryLayout<kinfo_proc>.stride
            var name: [Int32] = [CTL_KERN, KERN_PROC, KERN_PROC_PID, pid]
            guard sysctl(&name, 4, &info, &size, nil, 0) == 0, size > 0 else { return nil }
            let start = info.kp_proc.p_un.__p_starttime
            return "\(start.tv_sec).\(start.tv_usec)"
        #else
            return nil
        #endif
    }

    /// `PID` or `PID:START`: the process as the runs table records it.
    var processToken: String {
        processStart(pid).map { "\(pid):\($0)" } ?? "\(pid)"
    }

    /// The pid and start a runs row recorded (rows written before the start was kept have none).
    static func process(_ token: String?) -> (pid: Int32, start: String?)? {
        guard let token else { return nil }
        let parts = token.split(separator: ":", maxSplits: 1)
        guard let first = parts.first, let pid = Int32(first) else { return nil }
        return (pid, parts.count > 1 ? String(parts[1]) : nil)
    }

    /// A process that exists and is not a zombie (a killed run whose parent has not reaped it yet).
    @Sendable public static func processIsAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
            // /proc/PID/stat: "PID (COMMAND) STATE …"; the command may itself hold parentheses.
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            {
                let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
                return state != "Z" && state != "X"
            }
        #endif
        return true
    }

    public var location: String { backend.location }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func event(_ kind: String, _ row: StoreRow) -> PendingEvent {
        PendingEvent(id: Self.eventID(), at: StoreTime.text(now()), kind: kind, row: row)
    }

    static func eventID() -> String {
        (0..<4).map { _ in String(format: "%08x", UInt32.random(in: 0...UInt32.max)) }.joined()
    }

    // MARK: - Runs

    func runRow(_ header: RunHeader, finishedAt: Date?, verdict: Verdict?) throws -> StoreRow {
        let provenance = header.provenance
        return StoreRow(
            .runs,
            [
                "id": header.runID, "run_group": provenance.group,
                "shard": provenance.shard ?? (provenance.partial != nil ? Self.partialShard : nil),
                "phase": header.phase.rawValue, "environment": header.environment, "deploy_type": header.deployType,
                "actor": header.actor, "project": header.project, "config": header.config,
                "config_digest": provenance.configDigest, "commit_sha": provenance.commit,
                "commit_time": provenance.commitTime.map(StoreTime.text), "dirty": provenance.dirty.map { "\($0)" },
                "branch": provenance.branch, "tool_version": header.toolVersion, "release": header.release,
                "started_at": StoreTime.text(header.startedAt), "finished_at": finishedAt.map(StoreTime.text),
                "verdict": verdict?.rawValue, "host": host, "pid": processToken, "header": try Self.json(header),
            ])
    }

    /// The `shard` column of a run that covers part of its phase without being a shard (`--only`,
    /// `--skip`): queries for the environment's gate leave out every run whose shard column is set,
    /// except a sharded group's merged verdict (`all N`).
    public static let partialShard = "partial"

    /// Whether a run's `shard` column marks a whole gate: none, or a group's merged verdict.
    public static func isWholeGate(shard: String?) -> Bool {
        guard let shard else { return true }
        return shard.hasPrefix("all ")
    }

    /// Records a run before its first item (or again when it is resumed).
    public func begin(_ header: RunHeader) async throws {
        try await backend.write([event("run-began", try runRow(header, finishedAt: nil, verdict: nil))])
    }

    /// Records an item's result; its reuse key makes it findable by `reusable` (a reused result has
    /// none, so that reuse never extends a result's life past its own time-to-live).
    public func record(_ result: ItemResult, runID: String) async throws {
        try await record([result], runID: runID)
    }

    /// Records several results of one run in one transaction, each with its audit event, in order.
    /// A partial run's results are not `reusable`: evidence reuse takes only whole gates' results.
    public func record(_ results: [ItemResult], runID: String, reusable: Bool = true) async throws {
        try await backend.write(
            results.map { event("item-finished", try itemRow($0, runID: runID, reusable: reusable)) })
    }

    func itemRow(_ result: ItemResult, runID: String, reusable: Bool = true) throws -> StoreRow {
        let capped = EvidenceCap.capped(result, limit: evidenceLimit)
        return StoreRow(
            .itemResults,
            [
                "run_id": runID, "item_id": result.id, "outcome": result.outcome.rawValue,
                "severity": result.severity.rawValue, "duration": "\(result.duration)",
                "attempts": "\(result.attempts)",
                "reuse_key": reusable && result.reusedFrom == nil && result.outcome == .pass ? result.reuseKey : nil,
                "reused_from": result.reusedFrom?.runID, "finished_at": StoreTime.text(now()),
                "result": try Self.json(capped),
            ])
    }

    public func finish(_ result: RunResult, header: RunHeader) async throws {
        try await finish(header: header, finishedAt: result.finishedAt, verdict: result.verdict)
    }

    public func finish(header: RunHeader, finishedAt: Date, verdict: Verdict) async throws {
        try await backend.write([event("run-finished", try runRow(header, finishedAt: finishedAt, verdict: verdict))])
    }

    /// Records whole runs that finished elsewhere (an import, a merged sharded gate) in one
    /// transaction: each run's row and its items' rows, each with its audit event.
    public func recordFinished(_ runs: [(header: RunHeader, result: RunResult)]) async throws {
        var events: [PendingEvent] = []
        for (header, result) in runs {
            for item in result.items {
                events.append(
                    event(
                        "item-finished",
                        try itemRow(item, runID: header.runID, reusable: header.provenance.partial == nil)))
            }
            events.append(
                event("run-recorded", try runRow(header, finishedAt: result.finishedAt, verdict: result.verdict)))
        }
        try await backend.write(events)
    }

    public func run(_ id: String) async throws -> StoredRun? {
        guard let row = try await backend.select(RowQuery(.runs, equal: ["id": id])).first else { return nil }
        let header = try Self.header(row)
        let itemRows = try await backend.select(RowQuery(.itemResults, equal: ["run_id": id]))
        let decoder = Self.decoder()
        let items = try itemRows.map { row in
            do {
                return try decoder.decode(ItemResult.self, from: Data((row["result"] ?? "").utf8))
            } catch {
                throw StoreError.unreadableRow(table: "item_results", key: row.key, reason: "\(error)")
            }
        }
        return StoredRun(
            header: header, items: items, finishedAt: row["finished_at"].flatMap(StoreTime.date),
            status: status(row), host: row["host"], pid: Self.process(row["pid"])?.pid)
    }

    /// The newest passing result recorded under `key` since `since`.
    public func reusable(key: String, since: Date) async throws -> (
        result: ItemResult, runID: String, recordedAt: Date
    )? {
        let rows = try await backend.select(
            RowQuery(
                .itemResults, equal: ["reuse_key": key, "outcome": Outcome.pass.rawValue],
                atLeast: ["finished_at": StoreTime.text(since)], orderBy: "finished_at", descending: true, limit: 1))
        guard let row = rows.first, let runID = row["run_id"],
            let recordedAt = row["finished_at"].flatMap(StoreTime.date)
        else { return nil }
        let result = try Self.decoder().decode(ItemResult.self, from: Data((row["result"] ?? "").utf8))
        return (result, runID, recordedAt)
    }

    static func header(_ row: StoreRow) throws -> RunHeader {
        do {
            return try decoder().decode(RunHeader.self, from: Data((row["header"] ?? "").utf8))
        } catch {
            throw StoreError.unreadableRow(table: "runs", key: row.key, reason: "\(error)")
        }
    }

    func status(_ row: StoreRow) -> StoredRun.Status {
        if row["finished_at"] != nil {
            return .finished(row["verdict"].flatMap(Verdict.init(rawValue:)) ?? .error)
        }
        if row["host"] == host, let recorded = Self.process(row["pid"]) {
            if !isAlive(recorded.pid) { return .interrupted }
            // The pid is alive, but another process was given it after the run's died.
            if let start = recorded.start, let current = processStart(recorded.pid), current != start {
                return .interrupted
            }
        }
        return .running
    }

    /// Runs, newest first.
    public func history(_ query: HistoryQuery) async throws -> [RunSummary] {
        var rows = RowQuery(.runs, orderBy: "started_at", descending: true)
        if let environment = query.environment { rows.equal["environment"] = environment }
        if let deployType = query.deployType { rows.equal["deploy_type"] = deployType }
        if let phase = query.phase { rows.equal["phase"] = phase }
        if let group = query.group { rows.equal["run_group"] = group }
        if let commit = query.commit { rows.equal["commit_sha"] = commit }
        if let since = query.since { rows.atLeast["started_at"] = StoreTime.text(since) }
        let unfinished = ["running", "interrupted"].contains(query.outcome ?? "")
        if let outcome = query.outcome {
            if unfinished { rows.null.append("finished_at") } else { rows.equal["verdict"] = outcome }
        }
        // Which unfinished runs are dead, and which are whole gates, is known only after reading them.
        if !unfinished, !query.wholeGatesOnly { rows.limit = query.limit }
        var summaries = try await backend.select(rows).map(summary)
        if unfinished { summaries = summaries.filter { $0.outcome == query.outcome } }
        if query.wholeGatesOnly { summaries = summaries.filter { Self.isWholeGate(shard: $0.shard) } }
        if let limit = query.limit { summaries = Array(summaries.prefix(limit)) }
        return summaries
    }

    func summary(_ row: StoreRow) -> RunSummary {
        let outcome: String =
            switch status(row) {
            case .finished(let verdict): verdict.rawValue
            case .running: "running"
            case .interrupted: "interrupted"
            }
        return RunSummary(
            runID: row["id"] ?? "", phase: row["phase"] ?? "", environment: row["environment"],
            deployType: row["deploy_type"], actor: row["actor"] ?? "",
            startedAt: row["started_at"].flatMap(StoreTime.date) ?? Date(timeIntervalSince1970: 0),
            finishedAt: row["finished_at"].flatMap(StoreTime.date), outcome: outcome, commit: row["commit_sha"],
            branch: row["branch"], group: row["run_group"], shard: row["shard"])
    }

    /// The delivery figures over `since`…`until` (docs/metrics.md), from the runs of the phases they read.
    public func metrics(since: Date, until: Date, environment: String?) async throws -> DeliveryMetrics {
        // Only the runs the figures read (every deploy, passing rollbacks, failed pre-deploy gates),
        // only the columns they read, the three read at once: a long history reads fast.
        let backend = backend
        @Sendable func runs(_ phase: String, verdict: String?) async throws -> [DeliveryMetrics.Run] {
            var query = RowQuery(.runs, equal: ["phase": phase], atLeast: ["started_at": StoreTime.text(since)])
            if let verdict { query.equal["verdict"] = verdict }
            if let environment { query.equal["environment"] = environment }
            query.columns = ["environment", "started_at", "finished_at", "verdict", "commit_time", "shard"]
            let isDeploy = phase == "deploy"
            return try await backend.select(query) { cells in
                // A partial run or a single shard is not a deploy, a rollback or a stopped gate.
                guard Self.isWholeGate(shard: cells.text(5)) else { return nil }
                return cells.date(1).map {
                    DeliveryMetrics.Run(
                        phase: phase, environment: cells.text(0), startedAt: $0, finishedAt: cells.date(2),
                        verdict: cells.text(3), commitTime: isDeploy ? cells.date(4) : nil)
                }
            }
        }
        async let stopped = runs("pre-deploy", verdict: "failed")
        async let deploys = runs("deploy", verdict: nil)
        async let rollbacks = runs("rollback", verdict: "passed")
        var metrics = try await DeliveryMetrics.compute(
            deploys + rollbacks + stopped, since: since, until: until, environment: environment)
        metrics.rollbacks = DeliveryMetrics.Rollbacks.of(
            try await deployments(environment: environment), since: since, until: until, environment: environment)
        return metrics
    }

    // MARK: - Policy and deploy records

    public func put(_ record: StoredRecord) async throws {
        try await backend.write([event("record-" + record.kind, recordRow(record))])
    }

    func recordRow(_ record: StoredRecord) -> StoreRow {
        StoreRow(
            .records,
            [
                "kind": record.kind, "id": record.id, "subject": record.subject, "environment": record.environment,
                "actor": record.actor, "at": StoreTime.text(record.at), "until": record.until.map(StoreTime.text),
                "body": record.body,
            ])
    }

    static func record(_ row: StoreRow) -> StoredRecord {
        StoredRecord(
            kind: row["kind"] ?? "", id: row["id"] ?? "", subject: row["subject"], environment: row["environment"],
            actor: row["actor"], at: row["at"].flatMap(StoreTime.date) ?? Date(timeIntervalSince1970: 0),
            until: row["until"].flatMap(StoreTime.date), body: row["body"] ?? "{}")
    }

    /// Stores `record` unless one of its kind and id is already stored, and returns the one that
    /// stands: the first writer's (a shard plan every shard agrees on; later, a deploy lock).
    public func claim(_ record: StoredRecord) async throws -> StoredRecord {
        let row = recordRow(record)
        switch try await backend.write([event("record-" + record.kind, row)], condition: .absent) {
        case .written: return record
        case .refused(let current): return current.map(Self.record) ?? record
        }
    }

    /// The median recorded duration of each item (its last `samples` results), for balancing shards.
    public func typicalDurations(of itemIDs: [String], samples: Int = 5) async throws -> [String: Double] {
        var durations: [String: Double] = [:]
        for id in itemIDs {
            var query = RowQuery(
                .itemResults, equal: ["item_id": id], orderBy: "finished_at", descending: true, limit: samples)
            query.columns = ["run_id", "item_id", "duration", "reused_from"]
            let values = try await backend.select(query).filter { $0["reused_from"] == nil }.compactMap {
                $0["duration"].flatMap(Double.init)
            }.sorted()
            if !values.isEmpty { durations[id] = values[values.count / 2] }
        }
        return durations
    }

    public func records(kind: String, id: String? = nil, subject: String? = nil, environment: String? = nil)
        async throws -> [StoredRecord]
    {
        var query = RowQuery(.records, equal: ["kind": kind], orderBy: "at")
        if let id { query.equal["id"] = id }
        if let subject { query.equal["subject"] = subject }
        if let environment { query.equal["environment"] = environment }
        return try await backend.select(query).map(Self.record)
    }

    // MARK: - Audit

    public func auditEvents() async throws -> [AuditEvent] { try await backend.events() }

    /// Walks the whole chain and compares every row with the event that last wrote it.
    public func verifyAudit() async throws -> AuditReport {
        AuditVerifier.verify(events: try await backend.events(), rows: try await auditedRows())
    }

    /// Every row the audit chain covers, table by table.
    public func auditedRows() async throws -> [StoreRow] {
        var rows: [StoreRow] = []
        for table in StoreTable.allCases { rows += try await backend.select(RowQuery(table)) }
        return rows
    }
}

/// Evidence is kept, but not without bound: a fact's text longer than the limit keeps its head and
/// tail and says how much was cut.
enum EvidenceCap {
    static func capped(_ result: ItemResult, limit: Int) -> ItemResult {
        var result = result
        for (name, value) in result.facts { result.facts[name] = capped(value, limit: limit) }
        return result
    }

    static func capped(_ value: Value, limit: Int) -> Value {
        switch value {
        case .string(let text) where text.utf8.count > limit:
            let bytes = Array(text.utf8)
            let half = limit / 2
            let head = String(decoding: bytes.prefix(half), as: UTF8.self)
            let tail = String(decoding: bytes.suffix(half), as: UTF8.self)
            return .string(head + "\n… \(bytes.count - 2 * half) bytes not stored …\n" + tail)
        case .list(let values): return .list(values.map { capped($0, limit: limit) })
        default: return value
        }
    }
}
