import Foundation
import ShipcheckCore

/// Writes the imported checklist as commented YAML. Deterministic: same input, same bytes.
struct ConfigWriter {
    let sourceName: String
    let toolVersion: String
    let title: String?
    let items: [FoundItem]
    let triggers: [ImportedTrigger]
    let roles: [String]
    let summary: ImportSummary
    var targets: [ServiceTarget] = []

    func render() -> String {
        var out = "# Imported from \(sourceName) by `shipcheck import` (\(toolVersion)).\n"
        out += "# Each item says where it came from and what the importer decided; review the TODOs,\n"
        out += "# then run `shipcheck validate` and `shipcheck run`.\n"
        out += "version: 1\n"
        out += "project: \(YAML.string(projectName))\n"
        let types = Set(items.compactMap(\.deployType))
        if !types.isEmpty {
            out += "\n# Deploy types named by the checklist's headings; choose one with --type.\ntypes:\n"
            out += "  standard: {}\n"
            for type in types.sorted() { out += "  \(type): {}\n" }
        }
        if !roles.isEmpty {
            out += "\n# TODO: name the people who hold each role (e.g. [alice@example.com]).\nroles:\n"
            for role in roles { out += "  \(YAML.key(role)): []\n" }
        }
        let variables = items.flatMap(\.placeholderVariables).reduce(into: [(String, String)]()) { found, variable in
            if !found.contains(where: { $0.0 == variable.name }) { found.append(variable) }
        }
        if !targets.isEmpty {
            out += "\n# Where the service answers, from the checklist's commands: one file serves every target.\n"
            out += "# Set another value per environment, e.g. environments: { staging: { vars: { BASE_URL: … } } }.\n"
            out += "vars:\n"
            for target in targets {
                let lines = target.lines.map(String.init).joined(separator: ", ")
                out += "  \(target.name): \(YAML.string(target.url))   # lines \(lines)\n"
            }
        }
        if !variables.isEmpty {
            out += "\n# TODO: fill in the values the source left as placeholders; until then the commands\n"
            out += "# that read them fail without running.\n"
            if targets.isEmpty { out += "vars:\n" }
            for (name, placeholder) in variables {
                out += "  \(name): \"\"   # TODO: was \(YAML.comment(placeholder)) in the source\n"
            }
        }
        if !triggers.isEmpty {
            out += "\n# Rollback triggers, from the checklist's \"when to roll back\" list.\ntriggers:\n"
            for trigger in triggers {
                out += "  - title: \(YAML.string(trigger.title))   # line \(trigger.line)\n"
                if let priority = trigger.priority { out += "    priority: \(priority)\n" }
                if let condition = trigger.condition {
                    if let metric = trigger.metricToConfirm {
                        out +=
                            "    # TODO: `\(metric)` is the importer's name for what the text measures; "
                            + "point a probe at it or rename it\n"
                    }
                    out += "    when: \(YAML.string(condition))\n"
                } else {
                    out += "    manual: true   # a person judges it: no measurable condition in the text\n"
                }
            }
        }
        out += "\nphases:\n"
        for phase in PhaseName.allCases {
            let inPhase = items.filter { $0.phase == phase }
            guard !inPhase.isEmpty else { continue }
            out += "  \(phase.rawValue):\n    sections:\n"
            var sections: [String] = []
            for item in inPhase where !sections.contains(item.section) { sections.append(item.section) }
            for section in sections {
                let members = inPhase.filter { $0.section == section }
                out += "      - title: \(YAML.string(section))   # from line \(members[0].line)\n        items:\n"
                for item in members { out += render(item) }
            }
        }
        out += "\n# Summary of the import:\n"
        for line in summary.lines { out += "#   \(line)\n" }
        return out
    }

    var projectName: String {
        let base = (sourceName as NSString).deletingPathExtension
        let name = title.map { ExpectationPatterns.snake($0).replacingOccurrences(of: "_", with: "-") } ?? ""
        return name.count >= 2 && name != "value"
            ? name : ExpectationPatterns.snake(base).replacingOccurrences(of: "_", with: "-")
    }

    /// One part of an item: the item itself, or one of its independent commands.
    struct Part {
        var id: String
        var title: String
        var commands: [String]
    }

    /// Commands that prepare for the next ones rather than check something: a block holding one is a script.
    static let setupWords: Set<String> = [
        "cd", "pushd", "popd", "export", "source", ".", "set", "unset", "mkdir", "cp", "mv",
        "rm", "touch", "pip", "pip3", "npm", "yarn", "pnpm", "poetry", "uv", "apt", "apt-get",
        "brew", "make", "docker", "trap", "read", "echo", "printf", "sleep", "alias", "eval",
    ]

    /// A check item whose block holds several independent checking commands (`ruff check .` then `black --check .`)
    /// becomes one check per command, so each tool has its own verdict and one failing never hides the next.
    /// Ids and titles name the tool: `no-linting-errors-ruff`, "No linting errors (ruff)".
    static func parts(of item: FoundItem) -> [Part] {
        let whole = [Part(id: item.id, title: item.title, commands: item.commands)]
        guard item.decision == .check, item.commands.count > 1, !item.derived.junit, !item.derived.coverageReport,
            !item.derived.json, item.derived.captures.isEmpty,
            item.derived.expectations.allSatisfy({ $0 == "exit == 0" })
        else { return whole }
        var parts: [Part] = []
        var used: Set<String> = []
        for command in item.commands {
            guard !command.has("$"), !command.hasSuffix("\\") else { return whole }
            let words = CommandAnalysis.words(command)
            guard let first = words.first, !first.has("="), !setupWords.contains(first) else { return whole }
            let tool = ExpectationPatterns.snake((first as NSString).lastPathComponent).replacingOccurrences(
                of: "_", with: "-")
            var suffix = tool.isEmpty ? "\(parts.count + 1)" : tool
            var counter = 2
            while used.contains(suffix) {
                suffix = "\(tool)-\(counter)"
                counter += 1
            }
            used.insert(suffix)
            parts.append(Part(id: item.id + "-" + suffix, title: "\(item.title) (\(first))", commands: [command]))
        }
        return parts
    }

    func render(_ item: FoundItem) -> String {
        Self.parts(of: item).map { render(item, part: $0) }.joined()
    }

    func render(_ item: FoundItem, part: Part) -> String {
        var item = item
        let whole = part.id == item.id
        item.commands = part.commands
        item.id = part.id
        item.title = part.title
        let pad = "          "
        let comment = String(pad.dropLast(2))
        var note = decisionNote(item)
        if !whole { note += "; one check per independent command of the block" }
        if item.tickedInSource { note += "; ticked ([x]) in the source, asked again here" }
        if item.movedToPreDeploy { note += "; a local build or test run, so pre-deploy wherever its heading sits" }
        if case .block(let titledFrom) = item.origin {
            note += "; a block under no task item, titled from its \(titledFrom)"
            if !item.after.isEmpty { note += ", run after the step before it" }
        }
        if let check = item.verifiedBy, check < items.count, items[check].decision == .check {
            note += "; the section's own check `\(items[check].id)` (line \(items[check].line)) verifies it"
        }
        var out = "\n" + comment + "# line \(item.line): " + YAML.comment(note) + "\n"
        for note in item.derived.todo {
            out += comment + "# TODO: turn \u{201C}\(YAML.comment(note))\u{201D} into an expectation\n"
        }
        for baseline in item.derived.baseline {
            out += comment + "# Baseline: \(YAML.comment(baseline)) (the output is kept as evidence)\n"
        }
        out += pad.dropLast(2) + "- id: \(item.id)\n"
        out += pad + "title: \(YAML.string(item.title))\n"
        out += pad + "source: \(YAML.string("\(sourceName):\(item.line)"))\n"
        if !item.description.isEmpty {
            out +=
                pad + "description: " + YAML.block(item.description.joined(separator: "\n"), indent: pad + "  ") + "\n"
        }
        // Needs stay within a phase: a local build moved to pre-deploy leaves the deploy steps' order.
        let children = (item.after + item.children).filter { items[$0].phase == item.phase }.flatMap {
            Self.parts(of: items[$0]).map(\.id)
        }
        if !children.isEmpty { out += pad + "needs: [\(children.joined(separator: ", "))]\n" }
        if let type = item.deployType { out += pad + "when: type == \"\(type)\"\n" }
        switch item.decision {
        case .manual:
            out += pad + "manual: true\n"
            if let signoffs = item.signoffs {
                var fields = ["count: \(signoffs.count)"]
                if signoffs.count > 1 { fields.append("distinct: true") }
                if let role = signoffs.role { fields.append("role: \(YAML.string(role))") }
                out += pad + "signoffs: { \(fields.joined(separator: ", ")) }\n"
            }
            if !item.commands.isEmpty {
                out += pad + "# The commands, to run by hand:\n"
                for command in item.commands { out += pad + "#   " + YAML.comment(command) + "\n" }
            }
            if !item.derived.expectations.isEmpty {
                out += pad + "# Expected: " + YAML.comment(item.derived.expectations.joined(separator: " and ")) + "\n"
            }
        case .probe:
            out +=
                pad
                + "# TODO: point this probe at your service (a URL or a metrics query), then drop the placeholder.\n"
            out +=
                pad + "run: " + YAML.string("echo 'TODO: point this probe at a URL or metrics query' >&2; exit 2")
                + "\n"
            out += expectations(item, pad: pad)
        case .kind(let kind):
            out += pad + "\(kind.name): \(kind.parameters)\n"
            if !item.commands.isEmpty {
                out += pad + "# The source's commands, which the kind replaces:\n"
                for command in item.commands { out += pad + "#   " + YAML.comment(command) + "\n" }
            }
        case .check, .action:
            if case .action = item.decision { out += pad + "action: true\n" }
            out += pad + "run: " + YAML.block(command(for: item), indent: pad + "  ") + "\n"
            var parse: [String] = []
            if item.derived.junit { parse.append("junit: reports/\(item.id).junit.xml") }
            if item.derived.coverageReport { parse.append("coverage: reports/\(item.id).coverage.json") }
            if item.derived.json { parse.append("json: stdout") }
            if !parse.isEmpty { out += pad + "parse: { \(parse.joined(separator: ", ")) }\n" }
            if !item.derived.captures.isEmpty {
                out += pad + "capture:\n"
                for (name, pattern) in item.derived.captures.sorted(by: { $0.key < $1.key }) {
                    out += pad + "  \(name): \(YAML.single(pattern))\n"
                }
            }
            out += expectations(item, pad: pad)
        }
        return out
    }

    func expectations(_ item: FoundItem, pad: String) -> String {
        let list = item.derived.expectations
        if list.isEmpty { return "" }
        if list.count == 1 { return pad + "expect: " + YAML.string(list[0]) + "\n" }
        return pad + "expect:\n" + list.map { pad + "  - " + YAML.string($0) + "\n" }.joined()
    }

    /// The command text: several commands run in order, stopping at the first that fails;
    /// report flags are added where an expectation needs a report.
    func command(for item: FoundItem) -> String {
        var commands = item.commands
        if item.derived.junit, let index = commands.lastIndex(where: { $0.has("pytest") }) {
            commands[index] += " --junitxml=reports/\(item.id).junit.xml"
        }
        if item.derived.coverageReport,
            let index = commands.lastIndex(where: { $0.has("pytest") && $0.has("--cov") })
        {
            commands[index] += " --cov-report=json:reports/\(item.id).coverage.json"
        }
        if item.derived.expectations.contains("lines == 0"), let last = commands.indices.last {
            commands[last] = Self.grepMayFindNothing(commands[last])
        }
        if item.decision == .check { commands = commands.map(Self.curlFailsOnErrorStatus) }
        // An unfilled placeholder fails the item before anything runs.
        let guards = item.placeholderVariables.map { name, placeholder in
            "test -n ${{ vars.\(name) }} || { echo 'fill in vars.\(name) (\(placeholder) in the source)' >&2; exit 2; }"
        }
        commands = guards + commands
        if item.localDatabaseOnly { commands.insert(Self.localDatabaseGuard, at: 0) }
        return commands.count == 1 ? commands[0] : (["set -e"] + commands).joined(separator: "\n")
    }

    /// For commands the checklist says to run locally against a database: DATABASE_URL must be
    /// empty (the tool's own default), a socket, loopback or SQLite; anything else stops the item
    /// before it migrates someone else's database.
    static let localDatabaseGuard = """
        case "${DATABASE_URL:-}" in
          ""|sqlite:*|sqlite3:*|postgres:///*|postgresql:///*|mysql:///*|*host=/*|*host=%2F*|*host=%2f*) ;;
          *@localhost|*@localhost[:/?]*|*@127.0.0.1|*@127.0.0.1[:/?]*|*@\\[::1\\]*) ;;
          *://localhost|*://localhost[:/?]*|*://127.0.0.1|*://127.0.0.1[:/?]*|*://\\[::1\\]*) ;;
          *) echo "DATABASE_URL is not a local database; this item is to run locally (the checklist says so): remove this guard to allow another" >&2; exit 2 ;;
        esac
        """

    /// `curl URL` exits 0 on a 500 page: in a check each `curl` without `-f` (or a `-w` that writes the
    /// status out) gets `-f`, so that an error page cannot pass.
    static func curlFailsOnErrorStatus(_ command: String) -> String {
        var result = ""
        var rest = Substring(command)
        while let found = rest.range(of: "curl ") {
            let before = rest[..<found.lowerBound]
            let atCommandStart = before.last.map { " |;&(".contains($0) } ?? result.isEmpty
            result += before
            let end = rest[found.upperBound...].firstIndex(where: { "|;&".contains($0) }) ?? rest.endIndex
            let words = CommandRule.Words("curl " + rest[found.upperBound..<end])
            let failsAlready = words.flag("-f", "--fail", "--fail-with-body", "-w", "--write-out")
            result += atCommandStart && !failsAlready ? "curl -f " : "curl "
            rest = rest[found.upperBound...]
        }
        return result + rest
    }

    /// `A | grep P` that must find nothing: grep's "no match" (exit 1) is the success, while a failing `A`
    /// (under pipefail) or a grep error (2) still fails: `A | { grep P || test $? -eq 1; }`.
    static func grepMayFindNothing(_ command: String) -> String {
        // The last `|` outside quotes; a list (`;`, `&&`, `||`) is left as written.
        var quote: Character?
        var lastBar: String.Index?
        var index = command.startIndex
        while index < command.endIndex {
            let character = command[index]
            let next = command.index(after: index)
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == ";" || (character == "&" && next < command.endIndex && command[next] == "&") {
                return command
            } else if character == "|" {
                if next < command.endIndex && command[next] == "|" { return command }
                lastBar = index
            }
            index = next
        }
        guard let bar = lastBar else { return command }
        let tail = command[command.index(after: bar)...].trimmingCharacters(in: .whitespaces)
        guard ["grep", "egrep", "rg"].contains(CommandAnalysis.words(tail).first ?? "") else { return command }
        return command[..<bar].trimmingCharacters(in: .whitespaces) + " | { \(tail) || test $? -eq 1; }"
    }

    /// What each written item became and why, in the order written.
    func reportRows() -> [ImportReportRow] {
        items.flatMap { item in
            Self.parts(of: item).map { part in
                var written = item
                written.commands = part.commands
                let became: String
                switch item.decision {
                case .check: became = "check"
                case .action: became = "action"
                case .manual: became = "manual"
                case .probe: became = "probe"
                case .kind(let kind): became = kind.name
                }
                var todos = item.derived.todo.map { "turn \u{201C}\($0)\u{201D} into an expectation" }
                todos += item.placeholderVariables.map { "fill in vars.\($0.name) (\($0.placeholder) in the source)" }
                if item.decision == .probe { todos.append("point the probe at a URL or metrics query") }
                if let role = item.signoffs?.role { todos.append("name the people in role `\(role)`") }
                let manual: Bool
                if case .manual = item.decision { manual = true } else { manual = false }
                return ImportReportRow(
                    line: item.line, id: part.id, title: part.title, became: became, why: decisionNote(written),
                    expectations: manual ? [] : item.derived.expectations, todos: todos)
            }
        }
    }

    func decisionNote(_ item: FoundItem) -> String {
        let kind = item.lookalike.map { " (a \($0.rawValue), not a task item)" } ?? ""
        switch item.decision {
        case .check:
            let expected =
                item.derived.expectations.isEmpty ? "exit == 0" : item.derived.expectations.joined(separator: " and ")
            var note = "check\(kind); expects \(expected)"
            if !item.notes.isEmpty { note += " from \(item.notes.joined(separator: "; "))" }
            if item.derived.junit { note += "; JUnit report added" }
            if item.derived.coverageReport { note += "; coverage JSON report added" }
            return note
        case .action(let reason):
            return "action\(kind): \(reason); runs in the \(item.phase.rawValue) phase"
        case .manual(let reason):
            var note = "manual\(kind): \(reason)"
            if let signoffs = item.signoffs, let role = signoffs.role {
                note += "; needs \(signoffs.count) sign-off(s) from role \(role)"
            }
            return note
        case .probe:
            return "probe\(kind): the thresholds became expectations; it needs a URL or metrics query to measure"
        case .kind(let builtIn):
            return
                "the `\(builtIn.name):` kind\(kind): its title names \(builtIn.reason), which that kind checks itself"
        }
    }
}

/// YAML text, quoted only where needed.
enum YAML {
    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]

    static func string(_ text: String) -> String {
        if isPlain(text, first: "_./", rest: " _./()-"), !text.hasSuffix(" "), !reserved.contains(text.lowercased()) {
            return text
        }
        return doubleQuoted(text)
    }

    static func key(_ text: String) -> String {
        isPlain(text, first: "_", rest: "_-") ? text : doubleQuoted(text)
    }

    /// Letters and digits plus the given punctuation; the first character a letter or `first`.
    static func isPlain(_ text: String, first: String, rest: String) -> Bool {
        guard let head = text.unicodeScalars.first else { return false }
        func letter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        guard letter(head) || first.unicodeScalars.contains(head) else { return false }
        return text.unicodeScalars.allSatisfy {
            letter($0) || ("0"..."9").contains($0) || rest.unicodeScalars.contains($0)
        }
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if needsEscape(scalar) {
                    out +=
                        scalar.value <= 0xFF
                        ? String(format: "\\x%02X", scalar.value) : String(format: "\\u%04X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Characters YAML does not allow raw, or reads as line breaks (NEL, LS, PS).
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0xFEFF
            || scalar.value == 0x2028 || scalar.value == 0x2029 || (0xFFFE...0xFFFF).contains(scalar.value)
    }

    static func single(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// A literal block (`|`) for multi-line text when it round-trips exactly, else a quoted string.
    static func block(_ text: String, indent: String) -> String {
        guard text.has("\n") else { return string(text) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let safe =
            !text.hasSuffix("\n") && !(lines.first?.hasPrefix(" ") ?? false)
            && lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") }
            && !text.unicodeScalars.contains { $0 != "\n" && $0 != "\t" && needsEscape($0) }
        guard safe else { return doubleQuoted(text) }
        return "|-\n" + lines.map { $0.isEmpty ? "" : indent + $0 }.joined(separator: "\n")
    }

    static func comment(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars { out.append(needsEscape(scalar) ? " " : scalar) }
        return String(out)
    }
}
