import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The store for teams: one PostgreSQL database that every CI runner and the server share. The
/// password comes from the URL given on the command line or from the environment
/// (`SHIPCHECK_STORE_PASSWORD`, then `PGPASSWORD`), and is never part of `location`.
public actor PostgresBackend: StoreBackend {
    public nonisolated let location: String
    private let connection: PostgresConnection
    private let logger = Logger(label: "shipcheck.store", factory: { _ in SwiftLogNoOpLogHandler() })
    /// One statement sequence at a time on the one connection: a transaction must not interleave.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var deadline = StoreDeadline.standard
    /// Set once a call outlived its deadline: the connection is closed, and every later call fails at
    /// once instead of waiting for a server that is gone.
    private var lost: String?

    public struct Target: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        /// Tables live in this schema (`?schema=`), `public` by default.
        public var schema: String
        public var sslmode: SSLMode
        public var requireTLS: Bool { sslmode.requiresTLS }

        /// The URL without its password, for messages and records.
        public var location: String {
            "postgres://\(user)@\(host):\(port)/\(database)" + (schema == "public" ? "" : "?schema=\(schema)")
        }

        public static func parse(_ text: String, environment: [String: String]) throws -> Target {
            guard let components = URLComponents(string: text),
                ["postgres", "postgresql"].contains(components.scheme ?? ""),
                let host = components.host, !host.isEmpty
            else {
                throw StoreError.badLocation(
                    "the store URL is not of the form postgres://USER@HOST:PORT/DATABASE (the password from SHIPCHECK_STORE_PASSWORD or PGPASSWORD)"
                )
            }
            let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
            let query = components.queryItems ?? []
            let schema = query.first { $0.name == "schema" }?.value ?? "public"
            guard schema.range(of: "^[A-Za-z_][A-Za-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                throw StoreError.badLocation("the store URL's schema `\(schema)` is not a plain identifier")
            }
            for item in query where !["schema", "sslmode"].contains(item.name) {
                throw StoreError.badLocation(
                    "the store URL's parameter `\(item.name)` is not one shipcheck reads; expected schema or sslmode")
            }
            let sslmodeText = query.first { $0.name == "sslmode" }?.value ?? "prefer"
            guard let sslmode = SSLMode(rawValue: sslmodeText) else {
                throw StoreError.badLocation(
                    "the store URL's sslmode `\(sslmodeText)` is not one PostgreSQL defines; expected one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            let password =
                components.password.map { $0.removingPercentEncoding ?? $0 }
                ?? environment["SHIPCHECK_STORE_PASSWORD"] ?? environment["PGPASSWORD"]
            return Target(
                host: host, port: components.port ?? 5432,
                user: components.user ?? environment["PGUSER"] ?? "postgres", password: password,
                database: database.isEmpty ? (components.user ?? "postgres") : database, schema: schema,
                sslmode: sslmode)
        }
    }

    /// libpq's `sslmode` values (case-sensitive, as libpq reads them). `require` encrypts without
    /// checking the certificate, `verify-ca` checks it against the trust store, `verify-full` its
    /// host name too; `allow` and `prefer` may fall back to plain text.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"

        public var requiresTLS: Bool { [.require, .verifyCA, .verifyFull].contains(self) }

        func tls() throws -> PostgresConnection.Configuration.TLS {
            var client = TLSConfiguration.makeClientConfiguration()
            switch self {
            case .disable, .allow: return .disable
            case .prefer:
                client.certificateVerification = .none
                return .prefer(try NIOSSLContext(configuration: client))
            case .require:
                client.certificateVerification = .none
                return .require(try NIOSSLContext(configuration: client))
            case .verifyCA:
                client.certificateVerification = .noHostnameVerification
                return .require(try NIOSSLContext(configuration: client))
            case .verifyFull:
                return .require(try NIOSSLContext(configuration: client))
            }
        }
    }

    public static func open(
        _ target: Target, connectTimeout: Duration = .seconds(10), deadline: Duration = StoreDeadline.standard
    ) async throws -> PostgresBackend {
        let backend = try await StoreDeadline.run(deadline, location: target.location, what: "opening the store") {
            try await connect(target, connectTimeout: connectTimeout)
        }
        await backend.setDeadline(deadline)
        return backend
    }

    private func setDeadline(_ deadline: Duration) { self.deadline = deadline }

    private static func connect(_ target: Target, connectTimeout: Duration) async throws -> PostgresBackend {
        var configuration: PostgresConnection.Configuration
        do {
            let tls = try target.sslmode.tls()
            configuration = PostgresConnection.Configuration(
                host: target.host, port: target.port, username: target.user, password: target.password,
                database: target.database, tls: tls)
        } catch {
            throw StoreError.cannotOpen(location: target.location, reason: "TLS set-up failed: \(error)")
        }
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout.components.seconds * 1000))
        // A statement that waits longer than this (a lock held by a hung writer) fails instead of hanging.
        configuration.options.additionalStartupParameters = [
            ("application_name", "shipcheck"), ("statement_timeout", "120000"),
        ]
        let logger = Logger(label: "shipcheck.store", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw StoreError.cannotOpen(location: target.location, reason: Self.describe(error))
        }
        let backend = PostgresBackend(location: target.location, connection: connection)
        do {
            try await backend.migrate(schema: target.schema)
        } catch {
            try? await connection.close()
            throw error
        }
        return backend
    }

    private init(location: String, connection: PostgresConnection) {
        self.location = location
        self.connection = connection
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            var text = "\(error.code)"
            if let message = error.serverInfo?[.message] { text += ": \(message)" }
            if let underlying = error.underlying { text += " (\(underlying))" }
            return text
        }
        if let error = error as? StoreError { return error.description }
        return "\(error)"
    }

    private func exclusively<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        return try await body()
    }

    @discardableResult
    private func run(_ sql: String, _ values: [String?] = []) async throws -> [PostgresRow] {
        var binds = PostgresBindings()
        for value in values { binds.append(value) }
        return try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
    }

    private func transaction<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await exclusively {
            try await run("BEGIN")
            do {
                let value = try await body()
                try await run("COMMIT")
                return value
            } catch {
                _ = try? await run("ROLLBACK")
                throw error
            }
        }
    }

    private func migrate(schema: String) async throws {
        let location = location
        do {
            _ = try await exclusively { try await run("SET search_path TO \"\(schema)\"") }
            try await transaction {
                // Concurrent first runs create the schema once.
                try await run("SELECT pg_advisory_xact_lock(hashtext('shipcheck-schema:' || $1))", [schema])
                try await run("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"")
                try await run(StoreSchema.versionTable)
                let rows = try await run("SELECT max(version)::int8 FROM shipcheck_schema")
                let found = try rows.first?.makeRandomAccess()[0].decode(Int64?.self).map(Int.init) ?? 0
                let migrations = StoreSchema.migrations(.postgres)
                guard found <= migrations.count else {
                    throw StoreError.newerSchema(location: location, found: found, known: migrations.count)
                }
                for version in found..<migrations.count {
                    for statement in migrations[version] { try await run(statement) }
                }
                if found < migrations.count {
                    try await run("DELETE FROM shipcheck_schema")
                    try await run("INSERT INTO shipcheck_schema (version) VALUES (\(migrations.count))")
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.cannotOpen(location: location, reason: Self.describe(error))
        }
    }

    /// Runs a call within the deadline; past it, the connection is given up for good.
    private func guarded<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        if let lost { throw StoreError.failed(location: location, reason: "the connection was lost earlier: \(lost)") }
        do {
            return try await StoreDeadline.run(deadline, location: location, what: what, body)
        } catch StoreError.timedOut(let location, let reason) {
            lost = reason
            let connection = connection
            Task { try? await connection.close() }
            throw StoreError.timedOut(location: location, reason: reason)
        }
    }

    public func write(_ events: [PendingEvent], condition: WriteCondition) async throws -> WriteOutcome {
        try await guarded("a write") { try await self.writeNow(events, condition: condition) }
    }

    private func writeNow(_ events: [PendingEvent], condition: WriteCondition) async throws -> WriteOutcome {
        do {
            return try await transaction {
                // Self-exclusive, so that two writers never link to the same event (nor both see the
                // row a condition reads as it was); readers go on.
                try await run("LOCK TABLE audit_events IN SHARE ROW EXCLUSIVE MODE")
                if condition != .always, let first = events.first {
                    let query = first.row.keyQuery
                    let (sql, values) = query.sql { "$\($0)" }
                    let current = try await run(sql, values).first.map { try Self.storeRow($0, query.table) }
                    guard condition.holds(for: current) else { return .refused(current: current) }
                }
                var last: (Int64, String)?
                if let row = try await run(StoreSchema.lastEvent).first?.makeRandomAccess() {
                    last = (try row[0].decode(Int64.self), try row[1].decode(String.self))
                }
                for pending in events {
                    let event = pending.linked(after: last)
                    let row = pending.row
                    // The row and its event in one statement (one round trip): the row's upsert runs as
                    // a data-modifying WITH, which PostgreSQL always runs to completion.
                    let columns = row.table.columns
                    let sql =
                        "WITH row_written AS (\(StoreSchema.upsert(row.table) { "$\($0)" })) "
                        + StoreSchema.appendEvent { "$\($0 + columns.count)" }
                    var binds = PostgresBindings()
                    for column in columns { binds.append(row[column]) }
                    binds.append(event.seq)
                    for value in StoreSchema.eventValues(event) { binds.append(value) }
                    binds.append(event.encoding)
                    _ = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                        .collect()
                    last = (event.seq, event.hash)
                }
                return .written
            }
        } catch {
            throw StoreError.failed(location: location, reason: Self.describe(error))
        }
    }

    public func select(_ query: RowQuery) async throws -> [StoreRow] {
        try await guarded("a read") { try await self.selectNow(query) }
    }

    private func selectNow(_ query: RowQuery) async throws -> [StoreRow] {
        let (sql, values) = query.sql { "$\($0)" }
        do {
            let rows = try await exclusively { try await run(sql, values) }
            return try rows.map { try Self.storeRow($0, query.table) }
        } catch {
            throw StoreError.failed(location: location, reason: Self.describe(error))
        }
    }

    static func storeRow(_ row: PostgresRow, _ table: StoreTable) throws -> StoreRow {
        var columns: [String] = []
        var cells: [String?] = []
        for cell in row {
            columns.append(cell.columnName)
            cells.append(cell.bytes == nil ? nil : try cell.decode(String.self))
        }
        return StoreRow(table, columns: columns, cells: cells)
    }

    public func events() async throws -> [AuditEvent] {
        try await guarded("reading the audit chain") { try await self.eventsNow() }
    }

    private func eventsNow() async throws -> [AuditEvent] {
        do {
            let rows = try await exclusively { try await run(StoreSchema.allEvents) }
            return try rows.map { row in
                let cells = row.makeRandomAccess()
                return AuditEvent(
                    seq: try cells[0].decode(Int64.self), id: try cells[1].decode(String.self),
                    at: try cells[2].decode(String.self), kind: try cells[3].decode(String.self),
                    table: try cells[4].decode(String.self), key: try cells[5].decode(String.self),
                    rowDigest: try cells[6].decode(String.self), previousHash: try cells[7].decode(String.self),
                    hash: try cells[8].decode(String.self), encoding: try cells[9].decode(Int.self))
            }
        } catch {
            throw StoreError.failed(location: location, reason: Self.describe(error))
        }
    }

    public func close() async throws {
        guard lost == nil else { return }
        let connection = connection
        try await StoreDeadline.run(deadline, location: location, what: "closing the connection") {
            try await connection.close()
        }
    }
}
