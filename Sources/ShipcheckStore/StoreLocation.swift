public import Foundation

/// Where the store is: `--store`, else `SHIPCHECK_STORE`, else `store:` in the configuration, else
/// `.shipcheck/shipcheck.db` beside the configuration. A `postgres://` URL is PostgreSQL; anything
/// else is an SQLite file (`sqlite:PATH` or a path).
public enum StoreLocation {
    public static let environmentVariable = "SHIPCHECK_STORE"
    public static let defaultPath = ".shipcheck/shipcheck.db"

    public static func resolve(flag: String?, environment: [String: String], configured: String?, configDirectory: URL)
        -> String
    {
        for candidate in [flag, environment[environmentVariable], configured] {
            if let candidate, !candidate.trimmingCharacters(in: .whitespaces).isEmpty { return candidate }
        }
        return configDirectory.appendingPathComponent(defaultPath).path
    }

    public static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Opens (and migrates) the store. Relative SQLite paths are taken from the configuration's directory.
    public static func open(_ location: String, environment: [String: String], configDirectory: URL) async throws
        -> RunStore
    {
        if isPostgres(location) {
            let target = try PostgresBackend.Target.parse(location, environment: environment)
            return RunStore(backend: try await PostgresBackend.open(target))
        }
        var path = location.hasPrefix("sqlite:") ? String(location.dropFirst("sqlite:".count)) : location
        if path.hasPrefix("~/"), let home = environment["HOME"] { path = home + path.dropFirst(1) }
        if !path.hasPrefix("/") { path = configDirectory.appendingPathComponent(path).path }
        return RunStore(backend: try SQLiteBackend(path: path))
    }

    /// The location as it may be shown or recorded: a URL's password masked.
    public static func display(_ location: String) -> String {
        guard isPostgres(location), var components = URLComponents(string: location), components.password != nil
        else { return location }
        components.password = "***"
        return components.string ?? "postgres://…"
    }
}
