public import Foundation
import Testing

/// The real servers some tests need (PostgreSQL, Redis, Prometheus; see scripts/test-services.sh).
/// Missing ones skip with a loud reason, except under SHIPCHECK_REQUIRE_SERVICES=1 (CI), where they fail.
public enum Services {
    public static func url(_ name: String) -> String? {
        let variable = "SHIPCHECK_TEST_\(name)_URL"
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        let message = "\(name.lowercased()) tests need \(variable); run `eval \"$(scripts/test-services.sh)\"` first"
        Skips.record(message, unless: "SHIPCHECK_REQUIRE_SERVICES")
        return nil
    }

    /// A store URL as a command line may name it: without its password, which shipcheck refuses
    /// there (it reads it from SHIPCHECK_STORE_PASSWORD, which `storePassword` gives).
    public static func storeURL(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = nil
        return components.string ?? url
    }

    /// The test PostgreSQL's password, for SHIPCHECK_STORE_PASSWORD; nil without the server.
    public static var storePassword: String? {
        ProcessInfo.processInfo.environment["SHIPCHECK_TEST_POSTGRES_URL"].flatMap {
            URLComponents(string: $0)?.password
        }
    }

    /// The `vars:` the service examples read, when every service is there.
    public static func exampleVariables(for key: String) -> String? {
        switch key {
        case "postgres", "backup-postgres", "restore-postgres": url("POSTGRES").map { "POSTGRES_URL: \"\($0)\"" }
        case "redis": url("REDIS").map { "REDIS_URL: \"\($0)\"" }
        case "prometheus": url("PROMETHEUS").map { "PROMETHEUS_URL: \"\($0)\"" }
        default: ""
        }
    }
}
