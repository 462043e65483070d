import Foundation
import ShipcheckCore

/// `changelog:` — CHANGELOG.md has a dated entry for the version being deployed.
struct ChangelogCheck: Check {
    var file: Template?
    var version: Template?

    static let description = KindDescription(
        key: "changelog",
        name: "Changelog entry",
        summary:
            "Reads CHANGELOG.md (Keep a Changelog and common variants: `## [1.2.3] - 2025-10-02`, `## v1.2.3 (2025-10-02)`, `# 1.2.3 — October 2, 2025`) and checks that the version being deployed has an entry with a date. Without `version`, the newest released entry is checked.",
        parameters: [
            Parameter(
                "changelog",
                .object([
                    Parameter("file", .template, "The changelog (default CHANGELOG.md)."),
                    Parameter(
                        "version", .template,
                        "The version being deployed, e.g. ${{ vars.VERSION }}; a leading v is ignored."),
                ]), "Which changelog and version.", required: true)
        ],
        facts: [
            FactDescription(
                "changelog.exists", "boolean", "The file exists (a missing changelog fails; it is not an error)."),
            FactDescription("changelog.has_version", "boolean", "An entry for the version exists."),
            FactDescription("changelog.dated", "boolean", "That entry carries a date."),
            FactDescription("changelog.date", "string", "The date as written."),
            FactDescription("changelog.latest", "string", "The newest released version in the file."),
            FactDescription("changelog.lines", "number", "Non-empty lines in the entry."),
            FactDescription("changelog.unreleased", "number", "Non-empty lines under an Unreleased heading."),
        ],
        examples: [
            KindExample(
                "dated entry",
                yaml: """
                    id: changelog
                    title: CHANGELOG.md updated
                    changelog: { version: v1.2.3 }
                    """, outcome: .pass,
                facts: [
                    "changelog.has_version": .bool(true), "changelog.date": .string("2025-10-02"),
                    "changelog.latest": .string("1.2.3"),
                ],
                files: [
                    "CHANGELOG.md":
                        "# Changelog\n\n## [Unreleased]\n\n## [1.2.3] - 2025-10-02\n### Fixed\n- Login redirect\n\n## [1.2.2] - 2025-09-20\n- Earlier\n"
                ]),
            KindExample(
                "no entry for the version",
                yaml: """
                    id: changelog
                    title: CHANGELOG.md updated
                    changelog: { version: 1.3.0 }
                    """, outcome: .fail, facts: ["changelog.has_version": .bool(false)],
                files: ["CHANGELOG.md": "# Changelog\n\n## 1.2.3 (2025-10-02)\n- Login redirect\n"]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["changelog"], let fields = node.fields(allowed: ["file", "version"]) else { return nil }
        return ChangelogCheck(
            file: fields["file"].flatMap { $0.template(knownVars: reader.knownVariables) },
            version: fields["version"].flatMap { $0.template(knownVars: reader.knownVariables) })
    }

    var defaultExpectations: [FactExpression] { [.fact("changelog.has_version"), .fact("changelog.dated")] }
    var guardExpectations: [FactExpression] { [.fact("changelog.exists")] }

    var summary: String {
        "changelog \(file?.description ?? "CHANGELOG.md") has \(version.map { "version \($0)" } ?? "a dated latest entry")"
    }

    struct Entry {
        let version: String?
        let date: String?
        var lines = 0
    }

    static let versionPattern = NSRegularExpression.builtIn(#"\bv?(\d+\.\d+(?:\.\d+)?(?:[-+][0-9A-Za-z.-]+)?)\b"#)
    static let datePattern = NSRegularExpression.builtIn(
        #"(\d{4}-\d{2}-\d{2}|\d{4}/\d{2}/\d{2}|\d{1,2} [A-Z][a-z]+ \d{4}|[A-Z][a-z]+ \d{1,2},? \d{4})"#)

    /// Headings (`#` to `###`) that name a version or Unreleased, with the lines under each.
    static func entries(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") {
                let hashes = line.prefix { $0 == "#" }.count
                let heading = String(line.dropFirst(hashes)).trimmingCharacters(in: .whitespaces)
                if heading.lowercased().hasPrefix("[unreleased") || heading.lowercased().hasPrefix("unreleased") {
                    entries.append(Entry(version: nil, date: nil))
                    continue
                }
                let range = NSRange(heading.startIndex..., in: heading)
                if hashes <= 3, let match = versionPattern.firstMatch(in: heading, range: range),
                    let versionRange = Range(match.range(at: 1), in: heading)
                {
                    let date = datePattern.firstMatch(in: heading, range: range).flatMap {
                        Range($0.range, in: heading)
                    }
                    entries.append(
                        Entry(version: String(heading[versionRange]), date: date.map { String(heading[$0]) }))
                    continue
                }
            }
            if !line.isEmpty, !entries.isEmpty { entries[entries.count - 1].lines += 1 }
        }
        return entries
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let path = try context.expand(file) ?? "CHANGELOG.md"
        let url = context.resolve(path)
        // No changelog at all is the finding itself (a fail), not a check that could not run.
        guard FileManager.default.fileExists(atPath: url.path) else {
            return [
                "changelog.exists": .bool(false), "changelog.has_version": .bool(false),
                "changelog.dated": .bool(false),
            ]
        }
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw CheckError("cannot read `\(path)` as UTF-8 text")
        }
        let entries = Self.entries(text)
        let released = entries.filter { $0.version != nil }
        var facts: Facts = [
            "changelog.exists": .bool(true),
            "changelog.unreleased": .number(Double(entries.first { $0.version == nil }?.lines ?? 0)),
        ]
        if let latest = released.first?.version { facts["changelog.latest"] = .string(latest) }
        let wanted = try context.expand(version).map {
            $0.hasPrefix("v") || $0.hasPrefix("V") ? String($0.dropFirst()) : $0
        }
        let entry = wanted.map { version in released.first { $0.version == version } } ?? released.first
        facts["changelog.has_version"] = .bool(entry != nil)
        facts["changelog.dated"] = .bool(entry?.date != nil)
        if let date = entry?.date { facts["changelog.date"] = .string(date) }
        facts["changelog.lines"] = .number(Double(entry?.lines ?? 0))
        return facts
    }
}
