import Foundation
import GRDB
import Logging
import PostgresNIO
import ShipcheckStore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckCore

/// The three stores the conformance suite runs on.
enum BackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory, sqlite, postgres
    var testDescription: String { rawValue }
}

/// A fresh, empty store of one kind, and plain-SQL access to it for the tamper tests.
struct TestStore: Sendable {
    let kind: BackendKind
    let store: RunStore
    /// The SQLite file, or the PostgreSQL URL with its own schema.
    let location: String

    static func make(_ kind: BackendKind, now: @escaping @Sendable () -> Date = { Date() }) async throws -> TestStore? {
        switch kind {
        case .memory:
            return TestStore(kind: kind, store: RunStore(backend: MemoryBackend(), now: now), location: "memory")
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "shipcheck-store-\(UUID().uuidString)")
            let path = directory.appendingPathComponent("shipcheck.db").path
            return TestStore(
                kind: kind, store: RunStore(backend: try SQLiteBackend(path: path), now: now), location: path)
        case .postgres:
            guard let url = postgresURL() else { return nil }
            let target = try PostgresBackend.Target.parse(url, environment: [:])
            return TestStore(
                kind: kind, store: RunStore(backend: try await PostgresBackend.open(target), now: now), location: url)
        }
    }

    /// The test PostgreSQL with a schema of its own, so that tests never see each other's rows.
    static func postgresURL() -> String? {
        guard let base = Services.url("POSTGRES") else { return nil }
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// Runs SQL against the store behind its back, as someone with database access could.
    func execute(_ statements: [String]) async throws {
        switch kind {
        case .memory:
            Issue.record("plain SQL needs a real store")
        case .sqlite:
            let queue = try DatabaseQueue(path: location)
            try await queue.write { db in for statement in statements { try db.execute(sql: statement) } }
            try queue.close()
        case .postgres:
            let target = try PostgresBackend.Target.parse(location, environment: [:])
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            let connection = try await PostgresConnection.connect(
                configuration: .init(
                    host: target.host, port: target.port, username: target.user, password: target.password,
                    database: target.database, tls: .disable), id: 9, logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "SET search_path TO \(target.schema)"), logger: logger)
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.close()
        }
    }
}

enum Runs {
    static let start = Date(timeIntervalSince1970: 1_796_000_000)

    static func header(
        _ id: String, environment: String? = "staging", deployType: String? = nil, phase: PhaseName = .preDeploy,
        startedAt: Date = start, items: [String] = ["tests", "lint", "signoff"], commit: String? = "abc123"
    ) -> RunHeader {
        RunHeader(
            runID: id, toolVersion: "0.test", project: "demo", config: "shipcheck.yml", phase: phase,
            environment: environment, deployType: deployType, actor: "ana@example.com", startedAt: startedAt,
            release: "v1.2.3", itemIDs: items, resumedItemIDs: [],
            provenance: RunProvenance(configDigest: "d1", commit: commit, dirty: false, branch: "main"), only: [],
            skip: [])
    }

    static func item(_ id: String, _ outcome: Outcome, facts: Facts = [:], at: Date = start) -> ItemResult {
        ItemResult(
            id: id, title: "Item \(id)", phase: .preDeploy, section: "Checks", kind: "command", severity: .block,
            outcome: outcome, reason: outcome == .pass ? nil : "exit 1", summary: "make \(id)", facts: facts,
            expectations: [ExpectationResult(expression: "exit == 0", held: outcome == .pass, explanation: [])],
            attempts: 1, startedAt: at, duration: 1.5, signoffs: [], waiver: nil, description: nil, location: nil,
            source: nil)
    }

    static func result(_ header: RunHeader, _ items: [ItemResult], finishedAt: Date? = nil) -> RunResult {
        RunResult(
            runID: header.runID, toolVersion: header.toolVersion, project: header.project, config: header.config,
            phase: header.phase, environment: header.environment, deployType: header.deployType, actor: header.actor,
            startedAt: header.startedAt, finishedAt: finishedAt ?? header.startedAt.addingTimeInterval(60),
            interrupted: false, items: items, release: header.release, provenance: header.provenance)
    }

    /// Records a whole run: begun, its items, finished.
    static func record(_ store: RunStore, _ header: RunHeader, _ items: [ItemResult]) async throws {
        try await store.begin(header)
        for item in items { try await store.record(item, runID: header.runID) }
        try await store.finish(result(header, items), header: header)
    }
}
