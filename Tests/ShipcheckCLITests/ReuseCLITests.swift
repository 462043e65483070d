import Foundation
import Testing

/// Evidence reuse through the binary: an unchanged gate reuses every reusable item, a changed input
/// reruns exactly the items that declare it, an expired time-to-live reruns, live probes rerun
/// unless they opt in, and --no-reuse runs everything.
@Suite struct ReuseCLITests {
    static func config(probe: String) -> String {
        """
        version: 1
        phases:
          pre-deploy:
            items:
              - id: unit
                title: Unit tests
                run: "echo unit >> ran.log"
                inputs: { paths: ["src/**"] }
              - id: docs
                title: Docs build
                run: "echo docs >> ran.log"
                inputs: { paths: ["docs/*.md"] }
              - id: versioned
                title: Tool-dependent check
                run: "echo versioned >> ran.log"
                inputs: { env: [TOOL_FLAG], commands: ["cat tool-version"] }
              - id: short-lived
                title: Reusable for a second
                run: "echo short-lived >> ran.log"
                inputs: { paths: ["src/**"] }
                reuse-ttl: 1s
              - id: plain
                title: No inputs
                run: "echo plain >> ran.log"
              - id: probe
                title: Live probe
                http: { url: "\(probe)/health.txt" }
                inputs: { paths: ["src/**"] }
              - id: probe-opt-in
                title: Live probe that may reuse
                http: { url: "\(probe)/health.txt" }
                inputs: { paths: ["src/**"] }
                reuse: true
        """
    }

    /// The items that ran (not reused) in the last run, from the log they append to.
    static func ran(_ directory: URL, _ arguments: [String] = [], environment: [String: String] = [:]) throws
        -> (ran: Set<String>, output: CLI.Output)
    {
        let log = directory.appendingPathComponent("ran.log")
        try? FileManager.default.removeItem(at: log)
        let output = try CLI.run(["run"] + arguments, in: directory, environment: environment)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (Set(text.split(separator: "\n").map(String.init)), output)
    }

    @Test func reuseFollowsTheInputs() throws {
        let site = try CLI.temporaryDirectory()
        try "ok".write(to: site.appendingPathComponent("health.txt"), atomically: true, encoding: .utf8)
        let (server, base) = try CLI.startFileServer(in: site)
        defer { server.stop() }
        let directory = try CLI.temporaryDirectory(with: Self.config(probe: base))
        for (path, text) in [("src/app.py", "print(1)\n"), ("docs/index.md", "# Docs\n"), ("tool-version", "1.0\n")] {
            let url = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let setUp = try CLI.shell(
            "git init -q && git add -A && git -c user.email=t@example.com -c user.name=t commit -qm init", in: directory
        )
        #expect(setUp.status == 0, "\(setUp.stderr)")
        let flag = ["TOOL_FLAG": "a"]
        let everything: Set<String> = ["unit", "docs", "versioned", "short-lived", "plain"]

        let first = try Self.ran(directory, environment: flag)
        #expect(first.output.status == 0, "\(first.output.stdout)\(first.output.stderr)")
        #expect(first.ran == everything)

        // Unchanged: every reusable item is reused; the item without inputs and the live probe run.
        let second = try Self.ran(directory, environment: flag)
        #expect(second.output.status == 0)
        #expect(second.ran == ["plain"])
        #expect(second.output.stdout.contains("✓ pass    unit — Unit tests"))
        #expect(second.output.stdout.contains("    reused from run "), "\(second.output.stdout)")
        // The line after an item's line says why, when it was reused.
        let lines = second.output.stdout.split(separator: "\n").map(String.init)
        func reused(_ item: String) -> Bool {
            guard let index = lines.firstIndex(where: { $0.contains(" \(item) — ") }), index + 1 < lines.count else {
                return false
            }
            return lines[index + 1].hasPrefix("    reused from run ")
        }
        #expect(reused("unit") && reused("docs") && reused("versioned") && reused("probe-opt-in"))
        #expect(!reused("probe"), "a live probe runs again")
        #expect(!reused("plain"))

        // A changed file reruns exactly the items whose globs match it.
        try "print(2)\n".write(to: directory.appendingPathComponent("src/app.py"), atomically: true, encoding: .utf8)
        #expect(try Self.ran(directory, environment: flag).ran == ["unit", "short-lived", "plain"])
        try "# Docs v2\n".write(
            to: directory.appendingPathComponent("docs/index.md"), atomically: true, encoding: .utf8)
        #expect(try Self.ran(directory, environment: flag).ran == ["docs", "plain"])
        // A new file under a glob is a change too.
        try "x = 1\n".write(to: directory.appendingPathComponent("src/new.py"), atomically: true, encoding: .utf8)
        #expect(try Self.ran(directory, environment: flag).ran == ["unit", "short-lived", "plain"])

        // An environment variable or a tool's version.
        #expect(try Self.ran(directory, environment: ["TOOL_FLAG": "b"]).ran == ["versioned", "plain"])
        try "1.1\n".write(to: directory.appendingPathComponent("tool-version"), atomically: true, encoding: .utf8)
        #expect(try Self.ran(directory, environment: ["TOOL_FLAG": "b"]).ran == ["versioned", "plain"])

        // The time-to-live: one second later the short-lived result has expired.
        usleep(1_200_000)
        #expect(try Self.ran(directory, environment: ["TOOL_FLAG": "b"]).ran == ["short-lived", "plain"])

        // A changed definition is a new key.
        let edited = Self.config(probe: base).replacingOccurrences(
            of: "run: \"echo docs >> ran.log\"",
            with: "run: \"echo docs >> ran.log\"  # same command\n        timeout: 5m")
        try edited.write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        #expect(try Self.ran(directory, environment: ["TOOL_FLAG": "b"]).ran == ["docs", "plain"])

        let forced = try Self.ran(directory, ["--no-reuse"], environment: ["TOOL_FLAG": "b"])
        #expect(forced.ran == everything)
        #expect(!forced.output.stdout.contains("reused from"))

        // The reports say where a reused result came from.
        let json = try CLI.run(
            ["run", "--format", "json", "--output-dir", "out"], in: directory, environment: ["TOOL_FLAG": "b"])
        #expect(json.status == 0)
        let report = try String(contentsOf: directory.appendingPathComponent("out/shipcheck.json"), encoding: .utf8)
        #expect(report.contains("\"reusedFrom\""))
    }

    @Test func aFailedResultIsNeverReused() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                phases:
                  pre-deploy:
                    items:
                      - id: flaky
                        title: Fails until fixed
                        run: "echo flaky >> ran.log; test -f fixed"
                        inputs: { paths: ["*.txt"] }
                """)
        #expect(try Self.ran(directory).ran == ["flaky"])
        #expect(try Self.ran(directory).ran == ["flaky"], "a failure runs again")
        try Data().write(to: directory.appendingPathComponent("fixed"))
        #expect(try Self.ran(directory).output.status == 0)
        let reused = try Self.ran(directory)
        #expect(reused.output.status == 0 && reused.output.stdout.contains("reused from run"))
        #expect(reused.ran == [], "now the pass is reused")
    }
}
