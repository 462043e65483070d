public import Foundation
public import ShipcheckCore

/// Writes a run back into the Markdown checklist it was imported from: the same text, with `[x]`
/// for items that passed, `[ ]` for the rest, and a line under each item with its outcome, duration,
/// key facts, who signed it and any failed expectation; then the deployment-log entry.
public enum ChecklistExport {
    /// The export, or nil when the run's items do not come from one readable Markdown file.
    public static func render(_ run: RunResult, configDirectory: URL) -> String? {
        let sources = run.items.compactMap { $0.source.flatMap(SourceReference.init) }
        guard let file = sources.first?.file, sources.allSatisfy({ $0.file == file }) else { return nil }
        let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : configDirectory.appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8)
        else {
            return nil
        }
        return render(run, source: text)
    }

    struct SourceReference {
        let file: String
        let line: Int

        init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let line = Int(text[text.index(after: colon)...]) else {
                return nil
            }
            file = String(text[..<colon])
            self.line = line
        }
    }

    public static func render(_ run: RunResult, source text: String) -> String {
        let ending = text.has("\r\n") ? "\r\n" : "\n"
        var lines = text.replacingBytes("\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map(String.init)
        // Several items may come from one line (one check per command of its block): the line is ticked
        // only when all passed, and annotated with the first that did not.
        var byLine: [Int: [ItemResult]] = [:]
        for item in run.items {
            if let reference = item.source.flatMap(SourceReference.init) {
                byLine[reference.line, default: []].append(item)
            }
        }
        let results = byLine.mapValues { group in
            group.first { $0.outcome != .pass && $0.outcome != .waived } ?? group[0]
        }
        // A line whose checks did not all run (`--only` one of them) is not ticked, whatever the rest did.
        let partlyRun = Set((run.provenance?.notRunSources ?? []).compactMap { SourceReference($0)?.line })
        let document = MarkdownLines(lines.joined(separator: "\n"))
        var insertions: [(after: Int, text: String)] = []
        for line in document.lines {
            let index = line.number - 1
            guard index < lines.count else { continue }
            let result = results[line.number]
            let partly = partlyRun.contains(line.number) && result != nil
            let passed = !partly && (result.map { $0.outcome == .pass || $0.outcome == .waived } ?? false)
            switch line.kind {
            case .task:
                lines[index] = setMarker(lines[index], checked: passed)
            case .lookalike(_, _, let reason):
                if passed, reason == .checkboxGlyph, let range = lines[index].range(of: "☐") {
                    lines[index].replaceSubrange(range, with: "☑")
                } else if passed, reason == .signoffBlank, let signer = result?.signoffs.first?.actor,
                    let range = lines[index].range(of: #"_{3,}"#, options: .regularExpression)
                {
                    lines[index].replaceSubrange(range, with: signer)
                }
            default:
                continue
            }
            if let result {
                var text = annotation(result, under: lines[index])
                if partly { text += " · not every check of this line ran in this run" }
                insertions.append((index, text))
            }
        }
        for insertion in insertions.sorted(by: { $0.after > $1.after }) {
            lines.insert(insertion.text, at: insertion.after + 1)
        }
        var out = lines.joined(separator: ending)
        if !out.hasSuffix(ending) { out += ending }
        for caveat in run.caveats { out += ending + "> **Note**: \(caveat)" }
        out += ending + DeploymentLog.entry(run).replacingBytes("\n", with: ending)
        return out
    }

    /// Sets the first `[ ]`/`[x]` after the list marker.
    static func setMarker(_ line: String, checked: Bool) -> String {
        guard let range = line.range(of: #"\[[ xX]\]"#, options: .regularExpression) else { return line }
        var out = line
        out.replaceSubrange(range, with: checked ? "[x]" : "[ ]")
        return out
    }

    /// `  > **fail** · 3.5s · coverage.percent 4.84 · expected `coverage.percent >= 80`: coverage.percent = 4.84, …`
    static func annotation(_ result: ItemResult, under line: String) -> String {
        let prefix = line.prefix { $0 == " " || $0 == ">" || $0 == "\t" }
        var parts = ["**\(result.outcome.rawValue)**"]
        if result.attempts > 0 { parts.append(Value.formatDuration(result.duration)) }
        let facts = keyFacts(result.facts)
        if !facts.isEmpty { parts.append(facts) }
        if !result.signoffs.isEmpty {
            let signers = result.signoffs.map { signoff in
                signoff.note.map { "\(signoff.actor) (\($0))" } ?? signoff.actor
            }
            parts.append("signed off by " + signers.joined(separator: ", "))
        }
        let failed = result.expectations.filter { $0.held != true }.flatMap(\.explanation)
        if !failed.isEmpty {
            parts.append(failed.map { "`\($0.replacingBytes("`", with: "'"))`" }.joined(separator: "; "))
        } else if let reason = result.reason, result.outcome != .pass {
            parts.append(reason.replacingBytes("\n", with: " "))
        }
        return prefix + "  > " + parts.joined(separator: " · ")
    }

    /// "coverage 83.1%", "tests 412 total, 0 failed": the facts a reader looks for first.
    static func keyFacts(_ facts: Facts) -> String {
        var parts: [String] = []
        if case .number(let percent) = facts["coverage.percent"] { parts.append("coverage \(Value(number: percent))%") }
        if case .number(let total) = facts["tests.total"], case .number(let failed) = facts["tests.failed"] {
            parts.append("tests \(Value(number: total)) total, \(Value(number: failed)) failed")
        }
        if parts.isEmpty, case .number(let exit) = facts["exit"], exit != 0 {
            parts.append("exit \(Value(number: exit))")
        }
        return parts.joined(separator: ", ")
    }
}

extension Value {
    init(number: Double) { self = .number(number) }
}
