public import Foundation

/// Where the store is: `--store`, else `SHIPCHECK_STORE`, else `store:` in the configuration, else
/// `.shipcheck/shipcheck.db` beside the configuration. Parsed strictly: `postgres://` or
/// `postgresql://` (in any case) is PostgreSQL, `sqlite:PATH` or a plain path is an SQLite file, and
/// anything else that looks like a URL is refused rather than taken for a file of that name.
public enum StoreLocation {
    public static let environmentVariable = "SHIPCHECK_STORE"
    /// The variables that configure the store itself; checks never inherit them.
    public static let credentialVariables = ["SHIPCHECK_STORE", "SHIPCHECK_STORE_PASSWORD"]
    public static let defaultPath = ".shipcheck/shipcheck.db"

    /// What a location names, once parsed.
    public enum Kind: Sendable, Hashable {
        /// A PostgreSQL URL, its scheme lower-cased.
        case postgres(String)
        /// An SQLite file, as written (relative to the configuration's directory unless absolute).
        case sqlite(String)
    }

    /// Whether a command may create the store it opens: a read-only command (`history`, `show`,
    /// `plan`, `audit verify`) never does, so that a mistyped path is an error, not an empty store.
    public enum Access: Sendable {
        case readWrite
        case readOnly
    }

    public static func resolve(flag: String?, environment: [String: String], configured: String?, configDirectory: URL)
        -> String
    {
        for candidate in [flag, environment[environmentVariable], configured] {
            if let candidate, !candidate.trimmingCharacters(in: .whitespaces).isEmpty { return candidate }
        }
        return configDirectory.appendingPathComponent(defaultPath).path
    }

    /// Parses a location, or says why it is not one.
    public static func kind(of location: String) throws -> Kind {
        guard let colon = location.firstIndex(of: ":"),
            location[..<colon].isLetterLedName(others: "+.-", minimumRest: 1)
        else { return .sqlite(location) }
        let scheme = location[..<colon].lowercased()
        let rest = location[location.index(after: colon)...]
        switch scheme {
        case "postgres", "postgresql":
            guard rest.hasPrefix("//") else {
                throw StoreError.badLocation(
                    "the store `\(display(location))` is not a PostgreSQL URL: expected postgres://USER@HOST:PORT/DATABASE"
                )
            }
            return .postgres(scheme + ":" + rest)
        case "sqlite":
            let path = rest.hasPrefix("//") ? String(rest.dropFirst(2)) : String(rest)
            guard !path.isEmpty else { throw StoreError.badLocation("the store `sqlite:` names no file") }
            return .sqlite(path)
        default:
            throw StoreError.badLocation(
                "the store `\(display(location))` has the scheme `\(location[..<colon])`, which shipcheck does not know: expected postgres://USER@HOST:PORT/DATABASE, postgresql://…, sqlite:PATH or a file path (write ./\(location) for a file of that name)"
            )
        }
    }

    public static func isPostgres(_ location: String) -> Bool {
        if case .postgres = try? kind(of: location) { return true }
        return false
    }

    /// Refuses a location given on the command line that carries a password: it would show in `ps`
    /// and in shell history. The password comes from SHIPCHECK_STORE_PASSWORD or PGPASSWORD.
    public static func checkFlag(_ location: String) throws {
        guard case .postgres(let url) = try kind(of: location), let components = URLComponents(string: url),
            components.password != nil
        else { return }
        throw StoreError.badLocation(
            "--store: the URL holds a password, which every user of this machine can read in the process list; leave it out and set SHIPCHECK_STORE_PASSWORD (or PGPASSWORD)"
        )
    }

    /// Opens (and migrates) the store. Relative SQLite paths are taken from the configuration's
    /// directory; with `.readOnly`, a missing SQLite file is an error naming the path.
    public static func open(
        _ location: String, environment: [String: String], configDirectory: URL, access: Access = .readWrite,
        deadline: Duration = StoreDeadline.standard
    ) async throws -> RunStore {
        switch try kind(of: location) {
        case .postgres(let url):
            let target = try PostgresBackend.Target.parse(url, environment: environment)
            return RunStore(backend: try await PostgresBackend.open(target, deadline: deadline))
        case .sqlite(var path):
            if path.hasPrefix("~/"), let home = environment["HOME"] { path = home + path.dropFirst(1) }
            if !path.hasPrefix("/") { path = configDirectory.appendingPathComponent(path).path }
            if access == .readOnly, !FileManager.default.fileExists(atPath: path) {
                throw StoreError.cannotOpen(
                    location: path,
                    reason:
                        "no store there (a command that only reads never creates one); check --store, SHIPCHECK_STORE or `store:`, or record a run first"
                )
            }
            return RunStore(backend: try SQLiteBackend(path: path))
        }
    }

    /// The location as it may be shown or recorded: a URL's password masked.
    public static func display(_ location: String) -> String {
        guard location.contains("://"), var components = URLComponents(string: location), components.password != nil
        else { return location }
        components.password = "***"
        return components.string ?? "postgres://…"
    }
}
