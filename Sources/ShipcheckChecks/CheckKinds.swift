public import ShipcheckCore

/// Every kind of check and action, in one list. A test fails when a file in `Kinds/` is missing here.
public enum CheckKinds {
    public static let all: [KindDescription] = [
        CommandCheck.description,
        SecretsCheck.description,
        GitCheck.description,
        EnvParityCheck.description,
        ChangelogCheck.description,
        FileCheck.description,
        ReportCheck.description,
        OpenAPICheck.description,
        HTTPCheck.description,
        HeadersCheck.description,
        CORSCheck.description,
        RateLimitCheck.description,
        TCPCheck.description,
        DNSCheck.description,
        WebSocketCheck.description,
        WaitForCheck.description,
        ProbesCheck.description,
        PostgresCheck.description,
        BackupPostgresCheck.description,
        RestorePostgresCheck.description,
        RedisCheck.description,
        PrometheusCheck.description,
        RecordedCheck.description,
    ]
}

extension CheckKinds {
    /// A `run:` check of a shell command written elsewhere (an item's `rollback:`), as the loader
    /// would make it: the default shell, output limit and `exit == 0`.
    public static func shellCommand(_ template: Template) -> any Check {
        CommandCheck(
            command: .shell(template, shell: CommandCheck.defaultShell), workingDirectory: nil, environment: [:],
            captures: [], reports: [], outputLimit: 1_048_576)
    }
}
