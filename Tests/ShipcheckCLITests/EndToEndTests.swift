import Foundation
import ShipcheckTestSupport
import Testing

@Suite struct EndToEndTests {
    static let passing = """
        version: 1
        project: e2e
        environments: { staging: {} }
        phases:
          pre-deploy:
            sections:
              - title: Checks
                items:
                  - { id: hello, title: Says hello, run: echo hello, expect: 'stdout contains "hello"' }
                  - { id: after, title: Runs after, run: "true", needs: hello }
        """

    @Test func versionAndHelp() throws {
        let directory = try CLI.temporaryDirectory()
        let version = try CLI.run(["--version"], in: directory)
        #expect(version.status == 0)
        // A build from source says so; a release build (scripts/release.sh) names its commit.
        #expect(
            version.stdout == "0.1.0 (built from source)\n"
                || version.stdout.range(
                    of: #"^[0-9][^ ]* \(commit [0-9a-f]{12}(-dirty)?\)\n$"#, options: .regularExpression)
                    != nil,
            "\(version.stdout)")
        let help = try CLI.run(["run", "--help"], in: directory)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--env"))
        #expect(help.stdout.contains("Examples:"))
    }

    @Test func validatePrintsASummaryOrEveryProblem() throws {
        let directory = try CLI.temporaryDirectory(with: Self.passing)
        let ok = try CLI.run(["validate"], in: directory)
        #expect(ok.status == 0)
        #expect(ok.stdout == "ok: shipcheck.yml: 1 phase (pre-deploy 2), 2 items (2 automated, 0 manual)\n")
        #expect(ok.stderr == "")

        try """
        version: 1
        phases:
          pre-deploy:
            items:
              - { id: a, title: A, run: "true", timeout: soon }
              - { id: b, title: B, run: "true", neds: [a] }
        """.write(to: directory.appendingPathComponent("bad.yml"), atomically: true, encoding: .utf8)
        let bad = try CLI.run(["validate", "--config", "bad.yml"], in: directory)
        #expect(bad.status == 64)
        #expect(bad.stdout == "")
        #expect(
            bad.stderr
                == """
                bad.yml:5:50: at `phases.pre-deploy.sections[0].items[0].timeout`: expected a duration like 90s or 10m, got a string `soon`
                bad.yml:6:41: at `phases.pre-deploy.sections[0].items[1].neds`: unknown key `neds`; did you mean `needs`?
                2 problems found

                """.replacingOccurrences(of: "sections[0].items", with: "items"))
    }

    @Test func exitZeroWhenTheGatePasses() throws {
        let directory = try CLI.temporaryDirectory(with: Self.passing)
        let result = try CLI.run(["run", "--env", "staging"], in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("✓ pass    hello — Says hello"))
        #expect(result.stdout.contains("Gate passed"))
        #expect(!result.stdout.contains("\u{1B}["), "no colour with NO_COLOR or without a TTY")
        #expect(result.stderr.hasPrefix("shipcheck pre-deploy: 2 items from shipcheck.yml, env staging\n"))
    }

    @Test func exitOneWhenABlockingItemFailsOrIsPending() throws {
        let failing = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: cov, title: Coverage, run: "echo 'TOTAL 4.84%'", capture: { pct: 'TOTAL ([0-9.]+)%' }, expect: pct >= 80 }
                """)
        let result = try CLI.run(["run"], in: failing)
        #expect(result.status == 1)
        #expect(result.stdout.contains("pct = 4.84, expected >= 80"))
        #expect(result.stdout.contains("Gate failed"))

        let pending = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: review, title: Reviewed, manual: true }
                """)
        let waiting = try CLI.run(["run", "--interactive"], in: pending)
        #expect(waiting.status == 1)
        #expect(waiting.stdout.contains("? pending review — Reviewed"))
        #expect(waiting.stderr.contains("--interactive needs a terminal"))
    }

    @Test func exitTwoWhenAnItemCannotBeEvaluated() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: tool, title: Tool, run: [shipcheck-missing-tool-e2e] }
                """)
        let result = try CLI.run(["run"], in: directory)
        #expect(result.status == 2)
        #expect(result.stdout.contains("`shipcheck-missing-tool-e2e` was not found"))
        #expect(result.stdout.contains("Gate could not be evaluated"))
    }

    @Test func exit64OnUsageAndConfigurationErrors() throws {
        let directory = try CLI.temporaryDirectory(with: Self.passing)
        let unknownOption = try CLI.run(["run", "--frobnicate"], in: directory)
        #expect(unknownOption.status == 64)
        #expect(unknownOption.stderr.contains("Unknown option '--frobnicate'"))
        let unknownEnv = try CLI.run(["run", "--env", "stagin"], in: directory)
        #expect(unknownEnv.status == 64)
        #expect(unknownEnv.stderr == "shipcheck: --env: no environment `stagin`; did you mean `staging`?\n")
        let badFormat = try CLI.run(["run", "--format", "pdf"], in: directory)
        #expect(badFormat.status == 64)
        let empty = try CLI.temporaryDirectory()
        let missing = try CLI.run(["run"], in: empty)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no shipcheck.yml in"))
        try Data().write(to: empty.appendingPathComponent("shipcheck.yml"))
        let blank = try CLI.run(["validate"], in: empty)
        #expect(blank.status == 64)
        #expect(blank.stderr.contains("is empty"))
    }

    @Test func writesReportsInTheRequestedFormats() throws {
        let directory = try CLI.temporaryDirectory(with: Self.passing)
        let result = try CLI.run(["run", "--format", "json,junit,markdown", "--output-dir", "out"], in: directory)
        #expect(result.status == 0)
        let json = try Data(contentsOf: directory.appendingPathComponent("out/shipcheck.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["verdict"] as? String == "passed")
        #expect(object["actor"] as? String == "ci@example.com")
        #expect((object["items"] as? [Any])?.count == 2)
        let junit = try String(contentsOf: directory.appendingPathComponent("out/shipcheck-junit.xml"), encoding: .utf8)
        #expect(junit.contains(#"tests="2" failures="0" errors="0""#))
        let markdown = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.md"), encoding: .utf8)
        #expect(markdown.contains("- [x] **Says hello** — pass"))
    }

    @Test func interruptStopsRunningItemsAndStillWritesReports() async throws {
        let marker = "5151.\(Int.random(in: 100_000...999_999))"
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: quick, title: Quick, run: "true" }
                      - { id: long, title: Long, run: "sleep \(marker) & sleep \(marker); wait" }
                      - { id: later, title: Later, run: "true", needs: long }
                """)
        let (process, out, err) = try CLI.start(["run", "--format", "json", "--output-dir", "out"], in: directory)
        // Wait until the long item's processes exist, then press Ctrl-C.
        let deadline = Date().addingTimeInterval(20)
        while liveProcesses(containing: marker).count < 2, Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(liveProcesses(containing: marker).count >= 2)
        kill(process.processIdentifier, SIGINT)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stdout)\(stderr)")
        #expect(stdout.contains("Run interrupted"))
        #expect(stderr.contains("interrupted; stopping running items"))
        let json = try Data(contentsOf: directory.appendingPathComponent("out/shipcheck.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["interrupted"] as? Bool == true)
        #expect(object["verdict"] as? String == "interrupted")
        try await Task.sleep(for: .milliseconds(300))
        #expect(liveProcesses(containing: marker).isEmpty, "orphans left: \(liveProcesses(containing: marker))")
    }

    @Test func listSchemaAndInit() throws {
        let directory = try CLI.temporaryDirectory()
        let initialised = try CLI.run(["init", "--project", "demo"], in: directory)
        #expect(initialised.status == 0)
        let again = try CLI.run(["init"], in: directory)
        #expect(again.status == 64)
        #expect(again.stderr.contains("already exists"))
        let valid = try CLI.run(["validate"], in: directory)
        #expect(valid.status == 0, "the starter config validates: \(valid.stderr)")
        let list = try CLI.run(["list"], in: directory)
        #expect(list.stdout.hasPrefix("pre-deploy\ttests\trun\t-\tAll tests passing\n"))
        let schema = try CLI.run(["schema"], in: directory)
        let object = try JSONSerialization.jsonObject(with: Data(schema.stdout.utf8)) as? [String: Any]
        #expect(object?["title"] as? String == "Shipcheck configuration")
    }

    @Test func completionScriptsAreAvailable() throws {
        let directory = try CLI.temporaryDirectory()
        let bash = try CLI.run(["--generate-completion-script", "bash"], in: directory)
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("_shipcheck"))
    }
}

@Suite struct ExampleTests {
    /// The release build trapped (array index out of range) on any `probes:` item whose probes
    /// succeeded, with no verdict and no report; `.ci/run` runs this suite on the release binary too.
    @Test func probesThatSucceedGiveAVerdictAndAReport() throws {
        let site = try CLI.temporaryDirectory()
        try #"{"status": "healthy"}"#.write(
            to: site.appendingPathComponent("health.json"), atomically: true, encoding: .utf8)
        let (server, base) = try CLI.startFileServer(in: site)
        defer { server.stop() }
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                vars: { BASE_URL: "\(base)" }
                phases:
                  pre-deploy:
                    items:
                      - id: one
                        title: One probe
                        probes:
                          api: { http: { url: "${{ vars.BASE_URL }}/health.json" } }
                      - id: several
                        title: Several probes
                        probes:
                          api: { http: { url: "${{ vars.BASE_URL }}/health.json", samples: 20, concurrency: 2 } }
                          page: { http: { url: "${{ vars.BASE_URL }}/health.json" } }
                          port: { tcp: { host: 127.0.0.1, port: "\(base.split(separator: ":").last ?? "")" } }
                        expect: [api.error_rate < 1%, page.json.status == "healthy"]
                """)
        let run = try CLI.run(["run", "--format", "json", "--output-dir", "out"], in: directory)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("Gate passed"))
        let report = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.json"), encoding: .utf8)
        #expect(report.contains("\"page.json.status\" : \"healthy\""), "\(report)")
    }

    @Test func minaHoldsAllEightyTwoSeedItems() throws {
        let result = try CLI.run(["validate", "--config", "examples/mina/shipcheck.yml"], in: CLI.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        // 82 seed lines; lint and security name two tools each, and each tool is an item; the local
        // migration is two steps; and the four probes of the watch ("Watch logs for 15 minutes").
        #expect(result.stdout.contains("89 items"), "\(result.stdout)")
        #expect(result.stdout.contains("watch 4"), "\(result.stdout)")
    }

    /// The demo shows every outcome a new user should see: parallel passes, a parsed JUnit report,
    /// a coverage threshold, a warning, one failing check and a pending manual item.
    @Test func demoShowsEveryOutcome() throws {
        let output = try CLI.temporaryDirectory()
        // The store in the test's own folder: a test run must not show in the user's demo history.
        let store = output.appendingPathComponent("shipcheck.db").path
        let result = try CLI.run(
            [
                "run", "--config", "examples/demo/shipcheck.yml", "--format", "json", "--output-dir", output.path,
                "--store", store,
            ],
            in: CLI.packageRoot)
        #expect(FileManager.default.fileExists(atPath: store))
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        let json = try Data(contentsOf: output.appendingPathComponent("shipcheck.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts["fail"] == 1)
        #expect(counts["warn"] == 1)
        #expect(counts["pending"] == 1)
        #expect((counts["pass"] ?? 0) >= 4)
        #expect(counts["error"] == 0)
        let items = try #require(object["items"] as? [[String: Any]])
        let tests = try #require(items.first { $0["id"] as? String == "tests" })
        let facts = try #require(tests["facts"] as? [String: Any])
        #expect((facts["tests.total"] as? Double ?? 0) > 0)
    }
}

/// Runs the binary on a pseudo-terminal (through Python's pty module), as a person at a terminal would.
@Suite struct TerminalTests {
    static let driver = #"""
        import os, pty, sys, time, select
        binary, directory, answers = sys.argv[1], sys.argv[2], sys.argv[3:]
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(directory)
            env = dict(os.environ, SHIPCHECK_ACTOR="tty@example.com", TERM="xterm")
            env.pop("NO_COLOR", None)
            os.execve(binary, [binary, "run", "--interactive", "--format", "json", "--output-dir", "out"], env)
        output = b""
        deadline = time.time() + 60
        def read_until(token):
            global output
            while token not in output and time.time() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    try:
                        output += os.read(fd, 65536)
                    except OSError:
                        return
        for prompt, answer in zip(["done? [y/N]", "note (optional):"], answers):
            read_until(prompt.encode())
            time.sleep(float(os.environ.get("ANSWER_DELAY", "0")))
            os.write(fd, (answer + "\n").encode())
        while time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(output.decode("utf-8", "replace"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """#

    /// Runs `shipcheck run --interactive` on a pseudo-terminal, answering each prompt after `answerDelay` seconds.
    static func onTerminal(_ directory: URL, answers: [String], answerDelay: Double = 0) throws -> CLI.Output {
        try CLI.spawn(
            ["/usr/bin/env", "ANSWER_DELAY=\(answerDelay)", "python3", "-c", driver, CLI.binary.path, directory.path]
                + answers,
            in: directory, environment: ProcessInfo.processInfo.environment)
    }

    /// An item that finishes while the prompt waits prints its line after the answer, not on the prompt's line.
    @Test func aPromptIsNotOverwrittenByProgress() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: quick-check, title: Quick check, run: "sleep 0.3" }
                      - { id: notes, title: Release notes prepared, manual: true }
                """)
        let screen = try Self.onTerminal(directory, answers: ["y", ""], answerDelay: 1.5).stdout
        // A terminal's lines end in \r\n, one Character in Swift.
        let promptLine = try #require(screen.split(whereSeparator: \.isNewline).first { $0.contains("done? [y/N]") })
        #expect(!promptLine.contains("quick-check"), "\(promptLine.debugDescription)")
        #expect(screen.contains("quick-check"), "the held line is printed after the answer")
    }

    @Test func interactiveSignoffRecordsWhoAnsweredAndLiveProgressDraws() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: slow, title: Slow check, run: "sleep 0.6" }
                      - id: notes
                        title: Release notes prepared
                        description: Known issues listed.
                        manual: true
                        needs: slow
                """)
        let terminal = try Self.onTerminal(directory, answers: ["y", "checked the draft"])
        let screen = terminal.stdout
        #expect(terminal.status == 0, "\(screen)")
        #expect(screen.contains("Known issues listed."))
        #expect(screen.contains("\u{1B}[32m"), "colour on a terminal")
        // Any frame of the spinner: under load the first one drawn may not be the first.
        let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
        #expect(
            screen.contains("Slow check (") && frames.contains(where: screen.contains),
            "a live spinner line for the running item")
        let json = try Data(contentsOf: directory.appendingPathComponent("out/shipcheck.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        let notes = try #require(items.first { $0["id"] as? String == "notes" })
        #expect(notes["outcome"] as? String == "pass")
        let signoffs = try #require(notes["signoffs"] as? [[String: Any]])
        #expect(signoffs.first?["actor"] as? String == "tty@example.com")
        #expect(signoffs.first?["note"] as? String == "checked the draft")
    }
}

@Suite(.enabled(if: SharedFiles.available, "needs ../shared/ (the seed checklist and corpus), absent in a plain clone"))
struct ImportEndToEndTests {
    static let seed = SharedFiles.seed

    @Test func importWritesConfigAndSummary() throws {
        let directory = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(at: Self.seed, to: directory.appendingPathComponent("CHECKLIST.md"))
        let printed = try CLI.run(["import", "CHECKLIST.md"], in: directory)
        #expect(printed.status == 0)
        #expect(printed.stdout.hasPrefix("# Imported from CHECKLIST.md"))
        #expect(printed.stderr.contains("84 items found (82 task items"))
        let reported = try CLI.run(["import", "CHECKLIST.md", "--report"], in: directory)
        #expect(reported.stderr.contains("[check]  All tests passing"))
        #expect(reported.stderr.contains("    why: check; expects tests.failed == 0"))
        let written = try CLI.run(["import", "CHECKLIST.md", "--out", "shipcheck.yml"], in: directory)
        #expect(written.status == 0 && written.stdout.isEmpty)
        let refused = try CLI.run(["import", "CHECKLIST.md", "--out", "shipcheck.yml"], in: directory)
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("already exists; pass --force"))
        let validated = try CLI.run(["validate"], in: directory)
        #expect(validated.status == 0, "\(validated.stderr)")
        try Data("no items here\n".utf8).write(to: directory.appendingPathComponent("empty.md"))
        let empty = try CLI.run(["import", "empty.md"], in: directory)
        #expect(empty.status == 64)
        #expect(empty.stderr.contains("has no checklist items"))
    }

    /// Import the seed, run part of it on the demo project, export Markdown: passed items are ticked,
    /// the others are not, and the document is the source's, heading for heading, line for line.
    @Test func roundTripTicksPassedItemsInTheSourcesStructure() throws {
        let directory = try CLI.temporaryDirectory()
        let demo = CLI.packageRoot.appendingPathComponent("examples/demo")
        for name in try FileManager.default.contentsOfDirectory(atPath: demo.path)
        where name != "reports" && name != ".shipcheck" {
            try FileManager.default.copyItem(
                at: demo.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("shipcheck.yml"))
        try FileManager.default.copyItem(at: Self.seed, to: directory.appendingPathComponent("DEPLOYMENT_CHECKLIST.md"))
        #expect(
            try CLI.run(["import", "DEPLOYMENT_CHECKLIST.md", "--out", "shipcheck.yml"], in: directory).status == 0)
        // A branch whose diff against main holds no credential, so that the secret scan passes (an empty
        // diff would be an error: nothing looked at).
        let git = try CLI.shell(
            "git init -q -b main && git add -A && git -c user.email=t@example.org -c user.name=T commit -qm init"
                + " && git checkout -q -b feature && echo '- a note' >> DEPLOYMENT_CHECKLIST.md.notes"
                + " && git add -A && git -c user.email=t@example.org -c user.name=T commit -qm note",
            in: directory)
        #expect(git.status == 0, "\(git.stderr)")
        // Items that touch nothing beyond this machine: one passes (no secrets in the diff), others fail or error.
        let only =
            "no-hardcoded-secrets,axe-core-tests-passing,no-linting-errors-ruff,no-linting-errors-black,"
            + "pr-approved-by-at-least-2-reviewers"
        let run = try CLI.run(
            ["run", "--only", only, "--format", "markdown,json", "--output-dir", "out", "--release", "v1.2.3"],
            in: directory)
        #expect(run.status == 1 || run.status == 2, "\(run.stdout)\(run.stderr)")
        let exported = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.md"), encoding: .utf8)
        let source = try String(contentsOf: Self.seed, encoding: .utf8)
        let json = try Data(contentsOf: directory.appendingPathComponent("out/shipcheck.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.contains { $0["outcome"] as? String == "pass" })
        #expect(items.contains { $0["outcome"] as? String != "pass" })

        // Ticks follow the outcomes.
        let exportedLines = exported.components(separatedBy: "\n")
        // A line split into one check per command is ticked only when all of them passed.
        var passedByLine: [Int: Bool] = [:]
        for item in items {
            let source = try #require(item["source"] as? String)
            let number = try #require(Int(source.split(separator: ":").last ?? ""))
            passedByLine[number] = (passedByLine[number] ?? true) && item["outcome"] as? String == "pass"
        }
        let sourceLines = source.components(separatedBy: "\n")
        for (number, passed) in passedByLine {
            let original = sourceLines[number - 1]
            let line = try #require(exportedLines.first { $0.replacingOccurrences(of: "[x]", with: "[ ]") == original })
            #expect(line.contains("[x]") == passed, "line \(number): \(line)")
        }
        // Structure: without the annotations and the log entry, and with marks cleared, it is the source.
        func normalized(_ text: String) -> [String] {
            text.components(separatedBy: "\n").map { $0.replacingOccurrences(of: "[x]", with: "[ ]") }
        }
        let body = exported.components(separatedBy: "\n## Deployment Log: ")[0]
        let stripped = body.components(separatedBy: "\n").filter {
            !$0.trimmingCharacters(in: .whitespaces).hasPrefix("> **")
        }
        #expect(
            normalized(stripped.joined(separator: "\n")).joined(separator: "\n").trimmingCharacters(in: .newlines)
                == normalized(source).joined(separator: "\n").trimmingCharacters(in: .newlines))
        #expect(exported.contains("## Deployment Log: v1.2.3 ("))
        #expect(exported.contains("- **Deployed by**: ci@example.com"))
        #expect(exported.contains("- **Rollback**: Not required"))

        // One ticked checklist: `export` of the stored run writes what `run --format markdown` wrote.
        let again = try CLI.run(["export", "latest", "--format", "markdown"], in: directory)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == exported)
    }
}

@Suite struct ChangedPathsTests {
    /// `when: changed("migrations/**")` runs an item only when migrations changed since the default branch.
    @Test func changedComparesWithTheDefaultBranch() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - { id: migrations, title: Migration tested, run: "true", when: 'changed("migrations/**")' }
                      - { id: always, title: Always, run: "true" }
                """)
        let git = [
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
            "HOME": directory.path,
        ]
        func sh(_ script: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            process.currentDirectoryURL = directory
            process.environment = ProcessInfo.processInfo.environment.merging(git) { _, new in new }
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(script)")
        }
        try sh(
            "git init -q -b main && mkdir migrations && echo a > migrations/001.sql && git add . && git commit -qm base && git checkout -q -b feature"
        )
        let unchanged = try CLI.run(["run"], in: directory, environment: git)
        #expect(unchanged.stdout.contains(#"- skipped migrations — Migration tested"#), "\(unchanged.stdout)")
        try sh("echo b > migrations/002.sql")
        let changed = try CLI.run(["run"], in: directory, environment: git)
        #expect(changed.stdout.contains("✓ pass    migrations — Migration tested"), "\(changed.stdout)")
    }
}

@Suite struct PartialTickTests {
    /// A line whose block became two checks is never ticked by a run that ran one of them.
    @Test func aLineIsTickedOnlyWhenEveryCheckOfItRan() throws {
        let directory = try CLI.temporaryDirectory()
        let checklist = """
            # Checklist

            - [ ] **Both tools clean**
              ```bash
              true
              ruff --version
              ```
            """
        try checklist.write(to: directory.appendingPathComponent("CHECKLIST.md"), atomically: true, encoding: .utf8)
        let imported = try CLI.run(["import", "CHECKLIST.md", "--out", "shipcheck.yml"], in: directory)
        #expect(imported.status == 0, "\(imported.stderr)")
        let yaml = try String(contentsOf: directory.appendingPathComponent("shipcheck.yml"), encoding: .utf8)
        #expect(yaml.contains("- id: both-tools-clean-true") && yaml.contains("- id: both-tools-clean-ruff"), "\(yaml)")

        let one = try CLI.run(
            ["run", "--only", "both-tools-clean-true", "--format", "markdown", "--output-dir", "one", "--no-store"],
            in: directory)
        #expect(one.status == 0, "\(one.stdout)\(one.stderr)")
        let partial = try String(contentsOf: directory.appendingPathComponent("one/shipcheck.md"), encoding: .utf8)
        #expect(partial.contains("- [ ] **Both tools clean**"), "\(partial)")
        #expect(partial.contains("not every check of this line ran in this run"), "\(partial)")

        guard try CLI.toolsPresent("ruff --version", otherwise: "ruff is missing (pip install ruff)") else { return }
        let both = try CLI.run(
            ["run", "--format", "markdown", "--output-dir", "both", "--no-store"], in: directory)
        #expect(both.status == 0, "\(both.stdout)\(both.stderr)")
        let whole = try String(contentsOf: directory.appendingPathComponent("both/shipcheck.md"), encoding: .utf8)
        #expect(whole.contains("- [x] **Both tools clean**"), "\(whole)")
    }
}
