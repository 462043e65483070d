import Foundation
import ShipcheckCore

/// `secrets:` — credentials in the changes being deployed (or in files), never printed.
struct SecretsCheck: Check {
    enum Scope: Sendable {
        case diff(Template?)
        case paths([Template])
    }

    let scope: Scope
    let allowlist: Template?
    let exclude: [Template]
    let entropy: Bool

    static let description = KindDescription(
        key: "secrets",
        name: "Secret scan",
        summary:
            "Scans the added lines of `git diff BASE...HEAD` (or files) for credential shapes — cloud keys, GitHub/GitLab/Slack/Stripe/OpenAI/Google tokens, private keys, JWTs, passwords in URLs and assignments — and high-entropy strings. Findings name file, line and rule; the secret is masked.",
        parameters: [
            Parameter(
                "secrets",
                .object([
                    Parameter(
                        "diff", .template,
                        "The base to compare HEAD with (default: origin/main, origin/master, main or master)."),
                    Parameter(
                        "paths", .list(.template), "Scan every line of these files or directories instead of a diff."),
                    Parameter(
                        "allowlist", .template,
                        "Allowlist file: fingerprints, `path:GLOB`, `rule:ID` (default .shipcheck/secrets-allowlist)."),
                    Parameter("exclude", .list(.template), "Path globs not to scan, e.g. `tests/fixtures/**`."),
                    Parameter("entropy", .boolean, "Also report high-entropy quoted strings (default true)."),
                ]), "What to scan.", required: true)
        ],
        facts: [
            FactDescription("findings.total", "number", "Credentials found, after the allowlist."),
            FactDescription("findings.RULE", "number", "Per rule, e.g. `findings.github-token`."),
            FactDescription("findings.list", "list", "`file:line: rule masked` for the first 50 findings."),
            FactDescription("findings.allowed", "number", "Findings the allowlist let through."),
            FactDescription("scanned.files", "number", "Files scanned (with `paths`) or files with findings (diff)."),
            FactDescription("scanned.bytes", "number", "Bytes scanned."),
        ],
        examples: [
            KindExample(
                "clean",
                yaml: """
                    id: no-secrets
                    title: No hardcoded secrets
                    secrets: { paths: [app] }
                    """, outcome: .pass, facts: ["findings.total": .number(0)],
                files: ["app/settings.py": "DATABASE_URL = os.environ[\"DATABASE_URL\"]\nDEBUG = False\n"]),
            KindExample(
                "a leaked key",
                yaml: """
                    id: no-secrets
                    title: No hardcoded secrets
                    secrets: { paths: [app], entropy: false }
                    """, outcome: .fail,
                facts: ["findings.total": .number(1), "findings.aws-access-key-id": .number(1)],
                files: ["app/settings.py": "AWS_ACCESS_KEY_ID = \"AKIAIOSFODNN7EXAMPLE\"\n"]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["secrets"],
            let fields = node.fields(allowed: ["diff", "paths", "allowlist", "exclude", "entropy"])
        else { return nil }
        let vars = reader.knownVariables
        var ok = true
        var scope = Scope.diff(nil)
        if let diff = fields["diff"] {
            if let base = diff.template(knownVars: vars) { scope = .diff(base) } else { ok = false }
        }
        if let paths = fields["paths"] {
            if fields["diff"] != nil {
                paths.report("give either `diff` or `paths`, not both")
                ok = false
            }
            if let list = paths.templates(knownVars: vars, expected: "a path or a list of paths"), !list.isEmpty {
                scope = .paths(list)
            } else {
                ok = false
            }
        }
        var allowlist: Template?
        if let node = fields["allowlist"] {
            allowlist = node.template(knownVars: vars)
            if allowlist == nil { ok = false }
        }
        var exclude: [Template] = []
        if let node = fields["exclude"] {
            if let templates = node.templates(knownVars: vars) { exclude = templates } else { ok = false }
        }
        let entropy = fields["entropy"].map { $0.bool() ?? true } ?? true
        guard ok else { return nil }
        return SecretsCheck(scope: scope, allowlist: allowlist, exclude: exclude, entropy: entropy)
    }

    var defaultExpectations: [FactExpression] { [.compare(.fact("findings.total"), .equal, .literal(.number(0)))] }

    var summary: String {
        switch scope {
        case .diff(let base): "secret scan of git diff \(base?.description ?? "<default base>")...HEAD"
        case .paths(let paths): "secret scan of " + paths.map(\.description).joined(separator: ", ")
        }
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let source: SecretSearch.Source
        switch scope {
        case .diff(let base): source = .diff(base: try context.expand(base))
        case .paths(let paths): source = .paths(try context.expand(paths))
        }
        let search = SecretSearch(
            source: source, allowlist: try context.expand(allowlist), exclude: try context.expand(exclude),
            entropy: entropy)
        let outcome = try await search.run(in: context.workingDirectory, environment: context.environment)
        // No file looked at is no evidence: an empty diff (HEAD is the base) or paths with nothing in them.
        if outcome.bytes == 0 {
            throw CheckError(
                "nothing to scan in \(outcome.scope): no file was looked at, so no finding means nothing",
                retriable: false)
        }
        var facts: Facts = [
            "findings.total": .number(Double(outcome.findings.count)),
            "findings.allowed": .number(Double(outcome.allowed)),
            "findings.list": .list(outcome.findings.prefix(50).map { .string($0.description) }),
            "scanned.files": .number(Double(outcome.files)),
            "scanned.bytes": .number(Double(outcome.bytes)),
        ]
        for (rule, group) in Dictionary(grouping: outcome.findings, by: \.rule) {
            facts["findings." + rule] = .number(Double(group.count))
        }
        return facts
    }
}
