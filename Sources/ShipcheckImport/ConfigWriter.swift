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
            out += "# The environment variable of the same name when it is set (BASE_URL=http://localhost:5000\n"
            out += "# shipcheck run), else the checklist's value; or one per environment under `environments:`.\n"
            out += "vars:\n"
            for target in targets {
                let lines = target.lines.map(String.init).joined(separator: ", ")
                let value =
                    target.url.contains("'") ? target.url : "${{ env.\(target.name) || '\(target.url)' }}"
                out += "  \(target.name): \(YAML.string(value))   # lines \(lines)\n"
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
        var firstRun: [String: (id: String, body: String, expectations: [String])] = [:]
        for phase in PhaseName.allCases {
            let inPhase = items.filter { $0.phase == phase }
            guard !inPhase.isEmpty else { continue }
            out += "  \(phase.rawValue):\n    sections:\n"
            var sections: [String] = []
            for item in inPhase where !sections.contains(item.section) { sections.append(item.section) }
            for section in sections {
                let members = inPhase.filter { $0.section == section }
                out += "      - title: \(YAML.string(section))   # from line \(members[0].line)\n        items:\n"
                for item in members { out += render(item, firstRun: &firstRun) }
            }
        }
        out += "\n# Summary of the import:\n"
        for line in summary.lines { out += "#   \(line)\n" }
        return out
    }

    var projectName: String {
        let base = (sourceName as NSString).deletingPathExtension
        let name = title.map { ExpectationPatterns.snake($0).replacingBytes("_", with: "-") } ?? ""
        return name.count >= 2 && name != "value"
            ? name : ExpectationPatterns.snake(base).replacingBytes("_", with: "-")
    }

    /// One part of an item: the item itself, or one of its independent commands.
    struct Part {
        var id: String
        var title: String
        var commands: [String]
        /// What this part expects, when it is not the item's whole expectation.
        var derived: ExpectationPatterns.Derived? = nil
        /// Parts of the same item that run first.
        var needs: [String] = []
        /// The migration tool whose heads this part counts (`flask db`, `alembic`).
        var countsHeadsOf: String? = nil
    }

    /// A database upgrade followed by more (tests after the migration): the upgrade is a check of its
    /// own, with the count of migration heads (two heads are two branches of history nobody merged,
    /// and the upgrade refuses them), so that a migration that does not apply fails with its figure
    /// instead of leaving the tests' report unwritten. The rest runs after it.
    static func migrationParts(of item: FoundItem) -> [Part]? {
        guard item.decision == .check,
            let index = item.commands.firstIndex(where: { migrationTool($0) != nil }),
            let tool = migrationTool(item.commands[index])
        else { return nil }
        var upgrade = ExpectationPatterns.Derived()
        upgrade.add("heads == 1")
        upgrade.add("exit == 0")
        upgrade.captures["heads"] = #"heads: (\d+)"#
        let first = Part(
            id: item.id, title: "\(item.title) (applies cleanly)", commands: Array(item.commands[...index]),
            derived: upgrade, countsHeadsOf: tool)
        guard index + 1 < item.commands.count else { return [first] }
        var rest = item.derived
        rest.expectations.removeAll { $0 == "exit == 0" && item.derived.expectations.count > 1 }
        return [
            first,
            Part(
                id: item.id + "-after-upgrade", title: "\(item.title) (after the upgrade)",
                commands: Array(item.commands[(index + 1)...]), derived: rest, needs: [item.id]),
        ]
    }

    /// `flask db upgrade`, `alembic upgrade head`: the tool whose `heads` lists the migration heads.
    static func migrationTool(_ command: String) -> String? {
        let words = CommandAnalysis.words(command)
        if let flask = words.firstIndex(where: { $0 == "flask" || $0.hasSuffix("/flask") }),
            let db = words[flask...].firstIndex(of: "db"), words.dropFirst(db + 1).first == "upgrade"
        {
            return words[flask..<db].joined(separator: " ") + " db"
        }
        if words.first == "alembic", words.contains("upgrade") { return "alembic" }
        return nil
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
        if let migration = migrationParts(of: item) { return migration }
        let whole = [Part(id: item.id, title: item.title, commands: item.commands)]
        guard item.decision == .check, item.commands.count > 1, !item.derived.junit, !item.derived.coverageReport,
            !item.derived.json, item.derived.lighthouseReport == nil, item.derived.captures.isEmpty,
            item.derived.expectations.allSatisfy({ $0 == "exit == 0" })
        else { return whole }
        var parts: [Part] = []
        var used: Set<String> = []
        for command in item.commands {
            guard !command.has("$"), !command.hasSuffix("\\") else { return whole }
            let words = CommandAnalysis.words(command)
            // `npm audit` is a check though `npm install` sets up: a tool the importer knows is never set-up.
            guard let first = words.first, !first.has("="),
                !setupWords.contains(first) || ToolReports.tool(for: command) != nil
            else { return whole }
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

    /// `firstRun`: the first check written with each run body, by phase.
    func render(_ item: FoundItem, firstRun: inout [String: (id: String, body: String, expectations: [String])])
        -> String
    {
        Self.parts(of: item).map { render(item, part: $0, firstRun: &firstRun) }.joined()
    }

    func render(
        _ item: FoundItem, part: Part, firstRun: inout [String: (id: String, body: String, expectations: [String])]
    ) -> String {
        var item = item
        let whole = part.id == item.id && part.derived == nil
        item.commands = part.commands
        item.id = part.id
        item.title = part.title
        if let derived = part.derived { item.derived = derived }
        if let tool = part.countsHeadsOf {
            // The heads first: the upgrade refuses two of them, and its count is the figure.
            item.commands.insert(contentsOf: Self.countHeads(tool, into: "reports/\(item.id).heads.txt"), at: 0)
        }
        let pad = "          "
        let comment = String(pad.dropLast(2))
        let report = Self.toolReport(for: item)
        if let report { item.derived.expectations = report.expectations }
        var checkBody: String?
        if item.decision == .check || item.decision.isAction {
            checkBody = runBody(item, report: report, pad: pad)
        }
        // The same commands in two checks of a phase run once: the later one takes the first's run
        // (its report flags too) when it asks nothing of its own beyond passing, and then the first's
        // expectations with it (a status the first allows would otherwise pass here unjudged).
        var sameCheck: String?
        if item.decision == .check, let body = checkBody {
            let key = item.phase.rawValue + "\n" + item.commands.joined(separator: "\n")
            if let first = firstRun[key] {
                if item.derived.expectations.allSatisfy({ $0 == "exit == 0" }) {
                    checkBody = first.body
                    item.derived.expectations = first.expectations
                    sameCheck = "; the same check as `\(first.id)`: it runs once for both, judged alike"
                } else if first.body == body {
                    sameCheck =
                        "; the same check as `\(first.id)`: it runs once for both, each judged by its own expectations"
                }
            } else {
                firstRun[key] = (item.id, body, item.derived.expectations)
            }
        }
        var note = decisionNote(item)
        if let report { note += "; " + report.rewrite }
        if let rewrite = Self.coverageRewrite(item) { note += "; " + rewrite }
        if part.countsHeadsOf != nil {
            note += "; the upgrade is a check of its own, with the count of migration heads (the upgrade refuses two)"
        } else if !part.needs.isEmpty {
            note += "; runs after the upgrade, which is a check of its own"
        } else if !whole {
            note += "; one check per independent command of the block"
        }
        note += sameCheck ?? ""
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
        let children =
            (item.after + item.children).filter { items[$0].phase == item.phase }.flatMap {
                Self.parts(of: items[$0]).map(\.id)
            } + part.needs
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
            out += checkBody ?? ""
            out += expectations(item, pad: pad)
        }
        return out
    }

    /// What a check or action runs (run, allow-exit, parse, capture), without how it is judged: two
    /// checks of a phase with the same body run once (the engine's `checkKey`).
    func runBody(_ item: FoundItem, report: ToolReport?, pad: String) -> String {
        if let report {
            var out = pad + "run: " + YAML.block(report.command, indent: pad + "  ") + "\n"
            if !report.allowExit.isEmpty {
                out += pad + "allow-exit: [\(report.allowExit.map(String.init).joined(separator: ", "))]\n"
            }
            return out + pad + "parse: { \(report.format): \(report.path) }\n"
        }
        var out = pad + "run: " + YAML.block(command(for: item), indent: pad + "  ") + "\n"
        if Self.coverageRewrite(item) != nil { out += pad + "allow-exit: [1]\n" }
        var parse: [String] = []
        if item.derived.junit { parse.append("junit: reports/\(item.id).junit.xml") }
        if item.derived.coverageReport { parse.append("coverage: reports/\(item.id).coverage.json") }
        if item.derived.json { parse.append("json: stdout") }
        if let report = item.derived.lighthouseReport { parse.append("lighthouse: \(report)") }
        if !parse.isEmpty { out += pad + "parse: { \(parse.joined(separator: ", ")) }\n" }
        if !item.derived.captures.isEmpty {
            out += pad + "capture:\n"
            for (name, pattern) in item.derived.captures.sorted(by: { $0.key < $1.key }) {
                out += pad + "  \(name): \(YAML.single(pattern))\n"
            }
        }
        return out
    }

    /// `flask db heads` into a file, then `heads: N` (lines marked `(head)`) for the capture.
    static func countHeads(_ tool: String, into path: String) -> [String] {
        ["mkdir -p reports", "\(tool) heads > \(path)", "echo \"heads: $(grep -c '(head)' \(path) || true)\""]
    }

    /// The report form of a check that is one plain run of a tool the importer knows (`ToolReports`),
    /// when the prose asked nothing of it beyond passing.
    static func toolReport(for item: FoundItem) -> ToolReport? {
        guard item.decision == .check, item.commands.count == 1, item.placeholderVariables.isEmpty,
            !item.localDatabaseOnly, !item.derived.junit, !item.derived.coverageReport, !item.derived.json,
            item.derived.lighthouseReport == nil,
            item.derived.captures.isEmpty, item.derived.expectations.allSatisfy({ $0 == "exit == 0" })
        else { return nil }
        return ToolReports.report(
            for: item.commands[0], prose: (item.notes + [item.title]).joined(separator: " "))
    }

    /// A pytest run whose coverage is the verdict: measured even when tests fail (exit 1; another
    /// item judges the tests) and past modules that cannot be collected, which would otherwise stop
    /// it before any report is written. Exit 2 and above (interrupted, internal error, usage, no
    /// tests collected) still fail.
    static func coverageRewrite(_ item: FoundItem) -> String? {
        guard item.decision == .check, item.derived.coverageReport,
            item.derived.expectations.allSatisfy({ $0.hasPrefix("coverage.") }),
            let pytest = item.commands.last(where: { $0.has("pytest") && $0.has("--cov") }),
            !pytest.has("--continue-on-collection-errors")
        else { return nil }
        return "pytest's exit 1 (some tests failed) allowed and --continue-on-collection-errors added: "
            + "the coverage figure is this item's verdict, measured even where tests fail"
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
            if Self.coverageRewrite(item) != nil { commands[index] += " --continue-on-collection-errors" }
        }
        if item.derived.expectations.contains("lines == 0"), let last = commands.indices.last {
            commands[last] = Self.grepMayFindNothing(commands[last])
        }
        if item.decision == .check { commands = commands.map(Self.curlFailsOnErrorStatus) }
        if item.derived.lighthouseReport != nil { commands.insert("mkdir -p reports", at: 0) }
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
        let tail = command[command.index(after: bar)...].trimmedWhitespace
        guard ["grep", "egrep", "rg"].contains(CommandAnalysis.words(tail).first ?? "") else { return command }
        return command[..<bar].trimmedWhitespace + " | { \(tail) || test $? -eq 1; }"
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
            if item.derived.lighthouseReport != nil { note += "; Lighthouse JSON report parsed" }
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
        "'" + text.replacingBytes("'", with: "''") + "'"
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
