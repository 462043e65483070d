import Foundation
import ShipcheckCore

/// `file:` — a file exists, matches a pattern, or was updated after the code it documents.
struct FileCheck: Check {
    var path: Template
    var pattern: Template?
    var newerThan: [Template] = []

    static let description = KindDescription(
        key: "file",
        name: "File",
        summary:
            "Checks a file: that it exists, that its text matches a regular expression, and that it was modified after every file matching `newer-than` (a runbook updated when the code under a path changed).",
        parameters: [
            Parameter(
                "file",
                .object([
                    Parameter("path", .template, "The file.", required: true),
                    Parameter(
                        "contains", .template, "A regular expression its text must match (expects `file.matches`)."),
                    Parameter(
                        "newer-than", .list(.template),
                        "Path globs; the file must be modified after all of them (expects `file.newer`)."),
                ]), "Which file and what to check.", required: true)
        ],
        facts: [
            FactDescription("file.exists", "boolean", "The file exists."),
            FactDescription("file.size", "number", "Its size in bytes."),
            FactDescription("file.age", "duration", "Time since it was modified."),
            FactDescription("file.matches", "boolean", "Its text matches `contains`."),
            FactDescription("file.newer", "boolean", "It is newer than every file matching `newer-than`."),
            FactDescription("file.newest_other", "string", "The newest of those files."),
        ],
        examples: [
            KindExample(
                "runbook mentions the alert",
                yaml: """
                    id: runbook
                    title: Internal runbook updated
                    file: { path: docs/RUNBOOK.md, contains: "HighErrorRate" }
                    """, outcome: .pass, facts: ["file.exists": .bool(true), "file.matches": .bool(true)],
                files: ["docs/RUNBOOK.md": "# Runbook\n\n## Alert: HighErrorRate\nRoll back.\n"]),
            KindExample(
                "missing file",
                yaml: """
                    id: openapi
                    title: API documentation present
                    file: { path: docs/openapi.yaml }
                    """, outcome: .fail, facts: ["file.exists": .bool(false)]),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        guard let node = reader["file"], let fields = node.fields(allowed: ["path", "contains", "newer-than"]) else {
            return nil
        }
        guard let pathNode = fields["path"] else {
            node.report("missing `path:`")
            return nil
        }
        guard let path = pathNode.template(knownVars: reader.knownVariables) else { return nil }
        var check = FileCheck(path: path)
        if let containsNode = fields["contains"] {
            guard let template = containsNode.template(knownVars: reader.knownVariables) else { return nil }
            // A pattern with variables is compiled once they are known, at run time.
            if template.variableNames.isEmpty, !template.description.contains("${{"),
                (try? NSRegularExpression(pattern: template.description)) == nil
            {
                containsNode.report("`\(template.description)` is not a valid regular expression")
                return nil
            }
            check.pattern = template
        }
        if let node = fields["newer-than"] {
            guard let templates = node.templates(knownVars: reader.knownVariables) else { return nil }
            check.newerThan = templates
        }
        return check
    }

    var defaultExpectations: [FactExpression] {
        var list: [FactExpression] = [.fact("file.exists")]
        if pattern != nil { list.append(.fact("file.matches")) }
        if !newerThan.isEmpty { list.append(.fact("file.newer")) }
        return list
    }

    var summary: String {
        var text = "file \(path)"
        if let pattern { text += " contains /\(pattern.description)/" }
        if !newerThan.isEmpty { text += " newer than " + newerThan.map(\.description).joined(separator: ", ") }
        return text
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let relative = try context.expand(path, quoting: .none)
        let url = context.resolve(relative)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else {
            return ["file.exists": .bool(false)]
        }
        var facts: Facts = ["file.exists": .bool(true)]
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        facts["file.size"] = .number(Double(size))
        let modified = attributes[.modificationDate] as? Date ?? .distantPast
        facts["file.age"] = .duration(max(0, Date().timeIntervalSince(modified)))
        if let pattern {
            let source = try context.expand(pattern, quoting: .none)
            guard let regex = try? NSRegularExpression(pattern: source, options: [.anchorsMatchLines]) else {
                throw CheckError(
                    "`contains` is not a valid regular expression once expanded: `\(source)`", retriable: false)
            }
            guard size <= 64 * 1_048_576, let data = FileManager.default.contents(atPath: url.path) else {
                throw CheckError("`\(relative)` is larger than 64 MiB; `contains` reads files up to that size")
            }
            let text = String(decoding: data, as: UTF8.self)
            facts["file.matches"] = .bool(
                regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
        }
        if !newerThan.isEmpty {
            let patterns = try context.expand(newerThan)
            let globs = patterns.map(Glob.init)
            var newest: (path: String, date: Date)?
            for file in SecretSearch.files(under: context.workingDirectory) {
                let path = SecretSearch.relative(file, to: context.workingDirectory)
                guard path != relative, globs.contains(where: { $0.matches(path) }),
                    let date = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate]
                        as? Date
                else { continue }
                if date > newest?.date ?? .distantPast { newest = (path, date) }
            }
            // Globs that match nothing are a mistake in the configuration, not a file that is up to date.
            guard let newest else {
                throw CheckError("`newer-than` matched no file: " + patterns.joined(separator: ", "), retriable: false)
            }
            facts["file.newer"] = .bool(modified >= newest.date)
            facts["file.newest_other"] = .string(newest.path)
        }
        return facts
    }
}
