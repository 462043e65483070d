import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ShipcheckCore

/// `postgres:` — the database answers, how full its connection slots are, and facts from a query.
struct PostgresCheck: Check {
    var touchesLiveSystems: Bool { true }
    var url: Template
    var query: Template?
    var connectTimeout: Double = 10

    static let description = KindDescription(
        key: "postgres",
        name: "PostgreSQL",
        summary:
            "Connects with a postgres:// URL (the password is never printed), runs SELECT 1 and reads the server version and connection use (pool health). With `query`, the first row's columns become `row.COLUMN` facts — e.g. `alembic_version.version_num` for the expected migration revision. A refused connection or failed login is a fact (`postgres.up` false), not an error.",
        parameters: [
            Parameter(
                "postgres",
                .object([
                    Parameter(
                        "url", .template,
                        "postgres://USER:PASSWORD@HOST:PORT/DB (`?sslmode=require` for TLS), e.g. ${{ env.DATABASE_URL }}.",
                        required: true),
                    Parameter("query", .template, "SQL whose first row becomes facts."),
                    Parameter("connect-timeout", .duration, "How long to wait to connect (default 10s)."),
                ]), "The database.", required: true)
        ],
        facts: [
            FactDescription("postgres.up", "boolean", "Connected and SELECT 1 answered."),
            FactDescription("postgres.latency", "duration", "Time of SELECT 1."),
            FactDescription("postgres.version", "string", "server_version."),
            FactDescription(
                "postgres.connections / postgres.max_connections / postgres.connections_pct", "number",
                "Connection slots in use."),
            FactDescription("row.COLUMN / query.rows", "any / number", "From `query`."),
            FactDescription("postgres.error", "string", "Why it is not up."),
        ],
        examples: [
            KindExample(
                "database healthy",
                yaml: """
                    id: database-healthy
                    title: Database healthy
                    postgres: { url: "${{ vars.POSTGRES_URL }}", query: "SELECT current_database() AS name, 42 AS answer" }
                    expect: [postgres.up, postgres.connections_pct < 80, row.answer == 42]
                    """, outcome: .pass,
                facts: ["postgres.up": .bool(true), "row.name": .string("shipcheck_test"), "row.answer": .number(42)]),
            KindExample(
                "nobody listening",
                yaml: """
                    id: database-healthy
                    title: Database healthy
                    postgres: { url: "postgres://app:secret@127.0.0.1:9/app", connect-timeout: 2s }
                    """, outcome: .fail, facts: ["postgres.up": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["postgres"], let fields = node.fields(allowed: ["url", "query", "connect-timeout"])
        else { return nil }
        guard let urlNode = fields["url"] else {
            node.report("missing `url:`")
            return nil
        }
        guard let url = urlNode.template(knownVars: reader.knownVariables) else { return nil }
        var check = PostgresCheck(url: url, query: fields["query"]?.template(knownVars: reader.knownVariables))
        if let timeout = fields["connect-timeout"] {
            guard let value = timeout.duration() else { return nil }
            check.connectTimeout = value
        }
        return check
    }

    var defaultExpectations: [FactExpression] { [.fact("postgres.up")] }
    /// A query's facts from a database that did not answer are not the question; that it did not answer is.
    var guardExpectations: [FactExpression] { [.fact("postgres.up")] }
    var summary: String { "postgres \(url)" + (query.map { ": \($0)" } ?? "") }

    struct Target {
        var host: String
        var port: Int
        var user: String
        var password: String?
        var database: String?
        var requireTLS: Bool
    }

    /// Parses the URL without ever echoing it (it holds the password).
    static func target(_ text: String) throws(CheckError) -> Target {
        guard let components = URLComponents(string: text),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw CheckError("the postgres URL is not of the form postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        return Target(
            host: host, port: components.port ?? 5432, user: components.user ?? "postgres",
            password: components.password?.removingPercentEncoding ?? components.password,
            database: database.isEmpty ? nil : database,
            requireTLS: ["require", "verify-ca", "verify-full"].contains(sslmode))
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let target = try Self.target(try context.expand(url, quoting: .none))
        let query = try context.expand(self.query)
        var configuration: PostgresConnection.Configuration
        do {
            let tls: PostgresConnection.Configuration.TLS =
                target.requireTLS
                ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
            configuration = PostgresConnection.Configuration(
                host: target.host, port: target.port, username: target.user,
                password: target.password, database: target.database, tls: tls)
        } catch {
            throw CheckError("could not set up TLS for PostgreSQL: \(error)")
        }
        configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        let logger = Logger(label: "shipcheck.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            return ["postgres.up": .bool(false), "postgres.error": .string(Self.describe(error))]
        }
        defer { Task { try? await connection.close() } }
        var facts: Facts = [:]
        do {
            let start = ContinuousClock.now
            _ = try await connection.query("SELECT 1", logger: logger).collect()
            facts["postgres.latency"] = .duration((ContinuousClock.now - start).seconds)
            facts["postgres.up"] = .bool(true)
            let info = try await firstRow(
                connection,
                "SELECT current_setting('server_version') AS version, (SELECT count(*) FROM pg_stat_activity)::int8 AS connections, current_setting('max_connections')::int8 AS max_connections",
                logger)
            facts["postgres.version"] = info["version"] ?? .string("")
            if case .number(let used) = info["connections"], case .number(let max) = info["max_connections"], max > 0 {
                facts["postgres.connections"] = .number(used)
                facts["postgres.max_connections"] = .number(max)
                facts["postgres.connections_pct"] = .number((used / max * 10_000).rounded() / 100)
            }
            if let query {
                let rows = try await connection.query(PostgresQuery(unsafeSQL: query), logger: logger).collect()
                facts["query.rows"] = .number(Double(rows.count))
                if let row = rows.first { for cell in row { facts["row." + cell.columnName] = Self.value(cell) } }
            }
        } catch {
            try? await connection.close()
            throw CheckError("PostgreSQL query failed: \(Self.describe(error))")
        }
        try? await connection.close()
        return facts
    }

    func firstRow(_ connection: PostgresConnection, _ sql: String, _ logger: Logger) async throws -> [String: Value] {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect()
        var values: [String: Value] = [:]
        if let row = rows.first { for cell in row { values[cell.columnName] = Self.value(cell) } }
        return values
    }

    static func value(_ cell: PostgresCell) -> Value {
        if cell.bytes == nil { return .string("") }
        switch cell.dataType {
        case .int2, .int4, .int8: if let int = try? cell.decode(Int.self) { return .number(Double(int)) }
        case .float4, .float8: if let double = try? cell.decode(Double.self) { return .number(double) }
        case .bool: if let bool = try? cell.decode(Bool.self) { return .bool(bool) }
        default: break
        }
        if let string = try? cell.decode(String.self) { return .string(string) }
        return .string("<\(cell.dataType)>")
    }

    /// PSQLError's description is deliberately generic; its code and the server's message are not secret.
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            var text = "\(error.code)"
            if let message = error.serverInfo?[.message] { text += ": \(message)" }
            if let underlying = error.underlying { text += " (\(HTTPProbe.describe(underlying)))" }
            return text
        }
        return HTTPProbe.describe(error)
    }
}
