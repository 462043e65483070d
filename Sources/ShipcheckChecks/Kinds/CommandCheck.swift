import Foundation
import ShipcheckCore

/// `run:` — a command, as a shell string (`/bin/sh -c`) or a list of argv words.
struct CommandCheck: Check {
    enum Command: Sendable {
        case shell(Template, shell: [String])
        case argv([Template])
    }

    struct Capture: Sendable {
        let name: String
        let regex: NSRegularExpression
    }

    enum ReportSource: Sendable {
        case stdout
        case file(Template)
    }

    let command: Command
    let workingDirectory: Template?
    let environment: [String: Template]
    let captures: [Capture]
    let reports: [(format: ReportFormat, source: ReportSource)]
    let outputLimit: Int
    /// Exit statuses besides 0 that count as the command succeeding (`grep` finding nothing exits 1).
    var allowedExits: [Int] = []

    static let description = KindDescription(
        key: "run",
        name: "Command",
        summary:
            "Runs a command (a shell string or a list of argv words). Output is capped keeping head and tail, redacted, and can be captured or parsed into facts.",
        parameters: [
            Parameter(
                "run", .oneOf([.template, .list(.template)]),
                "The command: a string for the shell (`bash -eo pipefail -c`), or a list of argv words run without a shell.",
                required: true),
            Parameter("cwd", .template, "Working directory, relative to the configuration file's directory."),
            Parameter("env", .map(.template), "Environment variables added for this command."),
            Parameter(
                "shell", .string,
                "The shell for string commands (default `bash -eo pipefail`, as GitHub Actions runs steps, so that a failing line or a failure inside a pipeline is not hidden; `/bin/sh -e` where there is no bash)."
            ),
            Parameter(
                "allow-exit", .list(.integer),
                "Exit statuses besides 0 that count as success, e.g. `[1]` for a grep that may find nothing. Without it, `exit == 0` holds beside any `expect:` that does not itself read `exit`. With `parse:`, any other non-zero status is an error (the tool failed), and its report is not read."
            ),
            Parameter(
                "capture", .map(.string),
                "Named regular expressions over stdout then stderr; the first group (or the whole match) becomes a fact, a number when it reads as one."
            ),
            Parameter(
                "parse",
                .object(
                    ReportFormat.allCases.map {
                        Parameter($0.rawValue, .template, $0.summary + ": a path, or `stdout`.")
                    }),
                "Reports to read into facts after the command ran."),
            Parameter(
                "output-limit", .size, "Bytes of each stream to keep, head and tail (default 1MiB), e.g. `256KiB`."),
        ],
        facts: [
            FactDescription(
                "exit", "number",
                "Exit status. A shell reporting `command not found` anywhere in the output makes the item an error, whatever the status."
            ),
            FactDescription("duration", "duration", "Wall time of the command."),
            FactDescription("stdout", "string", "Standard output, capped head and tail, redacted."),
            FactDescription("stderr", "string", "Standard error, capped head and tail, redacted."),
            FactDescription("lines", "number", "Lines written to stdout (all of them, not only those kept)."),
            FactDescription("stdout.bytes", "number", "Bytes written to stdout."),
            FactDescription(
                "tests.total/passed/failed/errors/skipped, tests.time, tests.failing", "number, duration, list",
                "From `parse: {junit: …}`."),
            FactDescription(
                "coverage.percent, coverage.lines.covered/total, coverage.file_min", "number",
                "From `parse: {coverage: …}`, 0–100."),
            FactDescription(
                "findings.*, vulns.*, violations.*, lighthouse.*, k6 metrics", "number",
                "From the other `parse:` formats, as listed under `report:`."),
            FactDescription("json.*", "any", "From `parse: {json: …}`: the document flattened by dotted path."),
        ],
        examples: [
            KindExample(
                "passing",
                yaml: """
                    id: greet
                    title: Says hello
                    run: echo hello world
                    expect: stdout contains "hello"
                    """, outcome: .pass, facts: ["exit": .number(0), "lines": .number(1)]),
            KindExample(
                "failing",
                yaml: """
                    id: broken
                    title: Exits with 3
                    run: [sh, -c, "exit 3"]
                    """, outcome: .fail, facts: ["exit": .number(3)]),
            KindExample(
                "capture",
                yaml: """
                    id: count
                    title: Counts queries
                    run: |
                      echo "SELECT 1"
                      echo "queries: 12"
                    capture: { queries: 'queries: (\\d+)' }
                    expect: queries < 20
                    """, outcome: .pass, facts: ["queries": .number(12)]),
            KindExample(
                "missing tool",
                yaml: """
                    id: missing
                    title: Runs a tool that is not installed
                    run: [shipcheck-no-such-tool-xyz]
                    """, outcome: .error),
        ],
        make: make)

    static func make(_ reader: KindReader) -> (any Check)? {
        let vars = reader.knownVariables
        var ok = true
        func note<T>(_ value: T?) -> T? {
            if value == nil { ok = false }
            return value
        }

        var command: Command?
        if let run = reader["run"] {
            if run.isSequence {
                let words = run.sequence() ?? []
                let templates = words.compactMap { $0.template(knownVars: vars) }
                if words.isEmpty { run.report("expected at least one argv word") }
                command = templates.count == words.count && !words.isEmpty ? .argv(templates) : nil
            } else if let template = run.template(knownVars: vars) {
                var shell = defaultShell
                if let shellNode = reader["shell"], let text = shellNode.string() {
                    shell = text.split(separator: " ").map(String.init)
                    if shell.isEmpty { shellNode.report("expected a shell such as `bash` or `bash -eo pipefail`") }
                }
                if template.description.allSatisfy(\.isWhitespace) {
                    run.report("the command is empty")
                } else if !shell.isEmpty {
                    command = .shell(template, shell: shell)
                }
            }
        }
        _ = note(command)
        if let shellNode = reader["shell"], case .argv = command {
            shellNode.report("`shell` applies to string commands; a list of argv words runs without a shell")
            ok = false
        }

        let cwd = reader["cwd"].flatMap { note($0.template(knownVars: vars)) }
        var environment: [String: Template] = [:]
        if let envNode = reader["env"] {
            for (name, _, value) in note(envNode.mapping(expected: "a mapping of variable names to values")) ?? [] {
                if let template = note(value.template(knownVars: vars)) { environment[name] = template }
            }
        }

        var captures: [Capture] = []
        if let captureNode = reader["capture"] {
            for (name, keyNode, value) in note(
                captureNode.mapping(expected: "a mapping of fact names to regular expressions")) ?? []
            {
                guard let pattern = note(value.string(expected: "a regular expression")) else { continue }
                guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else {
                    value.report("`\(pattern)` is not a valid regular expression")
                    ok = false
                    continue
                }
                if ["exit", "duration", "stdout", "stderr", "lines"].contains(name) {
                    keyNode.report("`\(name)` is a fact the command already produces; choose another name")
                    ok = false
                }
                captures.append(Capture(name: name, regex: regex))
            }
        }

        var reports: [(format: ReportFormat, source: ReportSource)] = []
        if let parseNode = reader["parse"],
            let fields = note(
                parseNode.fields(
                    allowed: ReportFormat.allCases.map(\.rawValue),
                    expected: "a mapping such as { junit: reports/junit.xml }"))
        {
            for format in ReportFormat.allCases {
                guard let node = fields[format.rawValue], let template = note(node.template(knownVars: vars)) else {
                    continue
                }
                reports.append((format, template.description == "stdout" ? .stdout : .file(template)))
            }
        }

        var outputLimit = 1_048_576
        if let limitNode = reader["output-limit"] {
            if let bytes = limitNode.size(in: 1024...1_073_741_824) { outputLimit = bytes } else { ok = false }
        }

        var allowedExits: [Int] = []
        if let allowNode = reader["allow-exit"] {
            let statuses = note(allowNode.sequence(expected: "a list of exit statuses such as [1]")) ?? []
            for status in statuses {
                if let value = note(status.integer(in: 1...255)) { allowedExits.append(value) }
            }
        }

        guard ok, let command else { return nil }
        return CommandCheck(
            command: command, workingDirectory: cwd, environment: environment, captures: captures,
            reports: reports, outputLimit: outputLimit, allowedExits: allowedExits)
    }

    /// `bash -eo pipefail` as GitHub Actions runs a step: a failing line or pipeline stage is not hidden.
    static let defaultShell: [String] = {
        for bash in ["/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash"]
        where FileManager.default.isExecutableFile(atPath: bash) {
            return [bash, "-eo", "pipefail"]
        }
        return ["/bin/sh", "-e"]
    }()

    var exitGuard: FactExpression {
        if allowedExits.isEmpty { return .compare(.fact("exit"), .equal, .literal(.number(0))) }
        let allowed = ([0] + allowedExits).map { FactExpression.literal(.number(Double($0))) }
        return .compare(.list(allowed), .contains, .fact("exit"))
    }

    var defaultExpectations: [FactExpression] { [exitGuard] }

    /// The exit status, and for test reports no test that errored: an explicit `expect:` adds to these.
    var guardExpectations: [FactExpression] {
        var guards = [exitGuard]
        for report in reports { guards += report.format.guardExpectations }
        return guards
    }

    var summary: String {
        switch command {
        case .shell(let template, _): template.description
        case .argv(let words): words.map { Template.shellQuote($0.description) }.joined(separator: " ")
        }
    }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let arguments: [String]
        switch command {
        case .shell(let template, let shell):
            arguments = shell + ["-c", try context.expand(template, quoting: .shell)]
        case .argv(let words):
            var expanded: [String] = []
            for word in words { expanded.append(try context.expand(word, quoting: .none)) }
            arguments = expanded
        }
        var environment = context.environment
        for (name, template) in self.environment { environment[name] = try context.expand(template, quoting: .none) }
        environment["SHIPCHECK_ITEM"] = context.itemID
        var directory = context.workingDirectory
        if let workingDirectory { directory = context.resolve(try context.expand(workingDirectory, quoting: .none)) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw CheckError("working directory `\(directory.path)` does not exist")
        }

        let startedAt = Date()
        let outcome: ProcessOutcome
        do {
            outcome = try await ProcessRunner(outputLimit: outputLimit, deadline: context.timeout)
                .run(arguments: arguments, environment: environment, workingDirectory: directory.path)
        } catch {
            throw CheckError(error.description, retriable: false)
        }

        let stdout = outcome.stdout.text
        let stderr = outcome.stderr.text
        var facts: Facts = [
            "duration": .duration(outcome.duration),
            "stdout": .string(stdout),
            "stderr": .string(stderr),
            "lines": .number(Double(outcome.stdout.lineCount)),
            "stdout.bytes": .number(Double(outcome.stdout.totalBytes)),
        ]
        switch outcome.termination {
        case .exited(let code):
            facts["exit"] = .number(Double(code))
            if case .shell = command, code == 127 || code == 126 {
                let detail = Text.lastLine(stderr).map { ": \($0)" } ?? ""
                let what = code == 127 ? "could not find a command" : "could not execute a command"
                throw CheckError("the shell \(what) (exit \(code))\(detail)", facts: facts, retriable: false)
            }
        case .signaled(let signal):
            if outcome.timedOut { throw Self.timedOut(context.timeout, facts: facts) }
            if outcome.stopped { throw CheckError("stopped", facts: facts) }
            throw CheckError("the command was killed by signal \(signal) (\(signalName(signal)))", facts: facts)
        }
        if outcome.timedOut { throw Self.timedOut(context.timeout, facts: facts) }
        if outcome.stopped { throw CheckError("stopped", facts: facts) }
        // A script can lose a missing tool's failure (`k6 … | tee`, a script that ends with `echo done`):
        // the shell's own words still say that a command was never run.
        if let missing = Self.commandNotFound(in: stderr) ?? Self.commandNotFound(in: stdout) {
            throw CheckError(
                "a command was not found, so part of the check never ran: \(missing)", facts: facts, retriable: false)
        }

        // A tool whose report is parsed, with the statuses that mean "found something" named: any other
        // status is the tool failing (mypy's 2, "no file to check"), even if a report was left behind.
        if !reports.isEmpty, !allowedExits.isEmpty, case .number(let code)? = facts["exit"], code != 0,
            !allowedExits.contains(Int(code))
        {
            let allowed = ([0] + allowedExits).map(String.init).joined(separator: ", ")
            let detail = (Text.lastLine(stderr) ?? Text.lastLine(stdout)).map { "; it said: \($0)" } ?? ""
            throw CheckError(
                "the command exited \(Int(code)), not one of the statuses that mean it ran (\(allowed)), so its report is not read\(detail)",
                facts: facts)
        }
        for capture in captures {
            if let value = Self.capture(capture.regex, in: stdout) ?? Self.capture(capture.regex, in: stderr) {
                facts[capture.name] = Double(value).map(Value.number) ?? .string(value)
            }
        }
        for (format, source) in reports {
            let parsed: Facts
            do throws(CheckError) {
                switch source {
                case .stdout:
                    if outcome.stdout.omittedBytes > 0 {
                        throw CheckError(
                            "stdout is larger than output-limit, so the \(format.rawValue) report in it is cut; write it to a file"
                        )
                    }
                    parsed = try format.parse(data: Data(stdout.utf8), source: "stdout")
                case .file(let template):
                    let url = context.resolve(try context.expand(template, quoting: .none))
                    try Self.requireFresh(url, since: startedAt)
                    parsed = try format.parse(file: url)
                }
            } catch {
                throw unusableReport(format, error, facts: facts, stderr: stderr)
            }
            if let nothing = format.lookedAtNothing(stderr: stderr) { throw CheckError(nothing, facts: facts) }
            facts.merge(parsed) { _, new in new }
        }
        return facts
    }

    /// A report that could not be read, said beside how the command ended: a tool that failed (curl's
    /// "could not resolve host") is never hidden behind "stdout is not valid JSON".
    func unusableReport(_ format: ReportFormat, _ error: CheckError, facts: Facts, stderr: String) -> CheckError {
        var message = error.message
        if case .number(let code)? = facts["exit"], code != 0, !allowedExits.contains(Int(code)) {
            message = "the command exited \(Int(code)) without a usable \(format.rawValue) report: " + message
            if let line = Text.lastLine(stderr) { message += "; stderr: \(line)" }
        }
        return CheckError(message, facts: facts)
    }

    /// The first line in which a shell says it could not find a command: bash's `name: command not found`,
    /// dash's `sh: 1: name: not found`.
    static func commandNotFound(in text: String) -> String? {
        // A byte scan first: splitting megabytes of output into lines costs more than the pipe.
        guard text.containsBytes("not found") else { return nil }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard line.hasSuffix("command not found") || line.hasSuffix(": not found") else { continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasSuffix(": command not found") { return String(trimmed.prefix(200)) }
            // dash and busybox: `sh: 1: k6: not found`, `/bin/sh: k6: not found`, `./run.sh: 3: k6: not found`.
            if trimmed.range(
                of: #"^\S*(sh|\.sh|bash)(: line \d+| \d+|: \d+)?: [^:]+: not found$"#, options: .regularExpression)
                != nil
            {
                return String(trimmed.prefix(200))
            }
        }
        return nil
    }

    /// A report left over from an earlier run must not pass for this one.
    static func requireFresh(_ url: URL, since start: Date) throws(CheckError) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
            let modified = attributes[.modificationDate] as? Date
        else { return }
        // File systems with coarse timestamps round down by up to a second or two.
        if modified < start.addingTimeInterval(-2) {
            throw CheckError(
                "report `\(url.lastPathComponent)` was not written by this run (last modified \(ISO8601DateFormatter().string(from: modified))); the command did not produce it"
            )
        }
    }

    /// The first group of the first match, or the whole match when the pattern has no group.
    static func capture(_ regex: NSRegularExpression, in text: String) -> String? {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = regex.firstMatch(in: text, range: range) else { return nil }
        let group = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
        guard group.location != NSNotFound, let swiftRange = Range(group, in: text) else { return nil }
        return String(text[swiftRange]).trimmingCharacters(in: .whitespaces)
    }
}

extension CommandCheck {
    /// The process group was ended at the item's timeout by the runner itself (the engine says the
    /// same when its own timer fires first).
    static func timedOut(_ timeout: Double, facts: Facts) -> CheckError {
        CheckError("timed out after \(Value.formatDuration(timeout)); its processes were ended", facts: facts)
    }
}

func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE",
        9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM",
    ]
    return names[signal] ?? "signal \(signal)"
}

enum Text {
    static func lastLine(_ text: String) -> String? {
        text.split(separator: "\n").last.map { String($0.prefix(200)) }
    }
}
