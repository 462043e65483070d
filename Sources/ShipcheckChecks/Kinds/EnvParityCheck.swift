import Foundation
import ShipcheckCore

/// `env-parity:` — every variable `.env.example` names is set in the target environment, and none is
/// left at a development or placeholder value. Names only: values are never reported.
struct EnvParityCheck: Check {
    var example: Template?
    var names: [Template] = []
    var file: Template?
    var placeholders = true

    static let description = KindDescription(
        key: "env-parity",
        name: "Environment parity",
        summary:
            "Compares the variables named in `.env.example` (or a list) with the target environment — the process environment, or a dotenv file — and flags missing ones and development or placeholder values (`DEBUG=true`, `localhost`, `changeme`, `sk_test_…`, empty). Reports names, never values.",
        parameters: [
            Parameter(
                "env-parity",
                .object([
                    Parameter("example", .template, "The file naming the variables (default `.env.example`)."),
                    Parameter(
                        "names", .list(.template), "Variables to require, instead of or beside the example file."),
                    Parameter(
                        "file", .template, "A dotenv file holding the target values (default: the process environment)."
                    ),
                    Parameter("placeholders", .boolean, "Flag development and placeholder values (default true)."),
                ]), "What to compare.", required: true)
        ],
        facts: [
            FactDescription("env.expected", "number", "Variables required."),
            FactDescription("env.missing", "number", "Required variables not set."),
            FactDescription("env.missing.names", "list", "Their names."),
            FactDescription("env.placeholders", "number", "Variables left at a development or placeholder value."),
            FactDescription("env.placeholders.names", "list", "Their names (not their values)."),
        ],
        examples: [
            KindExample(
                "all set",
                yaml: """
                    id: env
                    title: Production config matches .env.example
                    env-parity: { file: .env.production }
                    """, outcome: .pass, facts: ["env.missing": .number(0), "env.expected": .number(2)],
                files: [
                    ".env.example": "# required\nDATABASE_URL=\nSECRET_KEY=changeme\n",
                    ".env.production": "DATABASE_URL=postgres://db.internal/app\nSECRET_KEY=k3y-from-the-vault-9f2\n",
                ]),
            KindExample(
                "missing and placeholder values",
                yaml: """
                    id: env
                    title: Production config matches .env.example
                    env-parity: { file: .env.production }
                    """, outcome: .fail,
                facts: [
                    "env.missing": .number(1), "env.missing.names": .list([.string("SECRET_KEY")]),
                    "env.placeholders": .number(2),
                ],
                files: [
                    ".env.example": "DATABASE_URL=\nSECRET_KEY=\nDEBUG=false\n",
                    ".env.production": "DATABASE_URL=postgres://localhost/app\nDEBUG=true\n",
                ]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["env-parity"],
            let fields = node.fields(allowed: ["example", "names", "file", "placeholders"])
        else {
            return nil
        }
        var check = EnvParityCheck()
        check.example = fields["example"].flatMap { $0.template(knownVars: reader.knownVariables) }
        if let node = fields["names"] {
            guard let templates = node.templates(knownVars: reader.knownVariables) else { return nil }
            check.names = templates
        }
        check.file = fields["file"].flatMap { $0.template(knownVars: reader.knownVariables) }
        check.placeholders = fields["placeholders"]?.bool() ?? true
        return check
    }

    var defaultExpectations: [FactExpression] {
        [
            .compare(.fact("env.missing"), .equal, .literal(.number(0))),
            .compare(.fact("env.placeholders"), .equal, .literal(.number(0))),
        ]
    }

    var summary: String {
        "env parity: \(example?.description ?? (names.isEmpty ? ".env.example" : "listed names")) against \(file?.description ?? "the process environment")"
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        var required = try context.expand(names)
        if example != nil || names.isEmpty {
            let path = try context.expand(example) ?? ".env.example"
            guard let text = try? String(contentsOf: context.resolve(path), encoding: .utf8) else {
                throw CheckError("cannot read `\(path)`, which names the required variables")
            }
            required += Self.parse(text).map(\.name)
        }
        var values: [String: String]
        if let file {
            let path = try context.expand(file, quoting: .none)
            guard let text = try? String(contentsOf: context.resolve(path), encoding: .utf8) else {
                throw CheckError("cannot read `\(path)`")
            }
            values = Dictionary(Self.parse(text).map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        } else {
            values = context.environment
        }
        var seen = Set<String>()
        required = required.filter { seen.insert($0).inserted }
        let missing = required.filter { values[$0] == nil }
        let suspicious =
            placeholders
            ? required.filter { name in values[name].map { Self.isPlaceholder(name: name, value: $0) } ?? false } : []
        return [
            "env.expected": .number(Double(required.count)),
            "env.missing": .number(Double(missing.count)),
            "env.missing.names": .list(missing.map(Value.string)),
            "env.placeholders": .number(Double(suspicious.count)),
            "env.placeholders.names": .list(suspicious.map(Value.string)),
        ]
    }

    /// `NAME=value` lines of a dotenv file; `export`, comments and quotes handled.
    static func parse(_ text: String) -> [(name: String, value: String)] {
        var entries: [(String, String)] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
                value = String(value.dropFirst().dropLast())
            } else if let comment = value.range(of: " #") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            entries.append((name, value))
        }
        return entries
    }

    static let placeholderWords = [
        "changeme", "change-me", "change_me", "replace-me", "replaceme", "todo", "tbd", "xxx",
        "example.com", "your-", "your_", "dummy", "placeholder", "secret123", "password123",
    ]

    /// A value fit for a laptop, not for production.
    static func isPlaceholder(name: String, value: String) -> Bool {
        let lower = value.lowercased()
        if lower.isEmpty { return true }
        if name.uppercased().hasSuffix("DEBUG") || name.uppercased() == "FLASK_DEBUG" {
            return ["1", "true", "yes", "on"].contains(lower)
        }
        if lower.hasPrefix("sk_test_") || lower.hasPrefix("pk_test_") || lower.hasPrefix("rk_test_") { return true }
        if lower.hasAny(["localhost", "127.0.0.1", "0.0.0.0"]) { return true }
        return lower.hasAny(placeholderWords)
    }
}
