import Foundation
import Testing

/// What a new user meets first: a mistyped command or option is named with the nearest one (never
/// taken for a phase), runs are found by `latest` or a unique prefix, and a pending gate says which
/// commands would move it.
@Suite struct FirstMinutesCLITests {
    @Test func aMistypedCommandOrOptionIsNamedWithTheNearestOne() throws {
        let directory = try CLI.temporaryDirectory()
        let option = try CLI.run(["run", "--frmat", "json"], in: directory)
        #expect(option.status == 64, "\(option.stderr)")
        #expect(
            option.stderr.contains("unknown option `--frmat` for `shipcheck run`; did you mean `--format`?"),
            "\(option.stderr)")
        #expect(!option.stderr.contains("phase"), "\(option.stderr)")
        let command = try CLI.run(["histroy"], in: directory)
        #expect(command.status == 64)
        #expect(
            command.stderr.contains("unknown command `histroy` for `shipcheck`; did you mean `history`?"),
            "\(command.stderr)")
        let nested = try CLI.run(["audit", "verify", "--chekpoint", "x.json"], in: directory)
        #expect(nested.stderr.contains("did you mean `--checkpoint`?"), "\(nested.stderr)")
        // Known options of nested commands are left alone; nothing near is the parser's own message.
        let fine = try CLI.run(["audit", "verify", "--checkpoint", "x.json"], in: directory)
        #expect(!fine.stderr.contains("unknown option"), "\(fine.stderr)")
        let far = try CLI.run(["run", "--frobnicate"], in: directory)
        #expect(far.status == 64 && far.stderr.contains("Unknown option '--frobnicate'"), "\(far.stderr)")
    }

    @Test func runsAreFoundByLatestOrAUniquePrefixAndAPendingGateSaysWhatNext() throws {
        let directory = try CLI.temporaryDirectory(
            with: """
                version: 1
                environments: { staging: {} }
                phases:
                  pre-deploy:
                    items:
                      - { id: hello, title: Says hello, run: echo hello }
                      - { id: notes, title: Release notes prepared, manual: true }
                """)
        let first = try CLI.run(["run", "--env", "staging"], in: directory)
        #expect(first.status == 1)
        #expect(
            first.stdout.contains(
                "next: shipcheck signoff notes --env staging --note \"…\" (then `shipcheck plan --env staging`)"),
            "\(first.stdout)")
        _ = try CLI.run(["run", "--env", "staging", "--only", "hello"], in: directory)
        let history = try CLI.run(["history", "--format", "json"], in: directory)
        let ids = history.stdout.matches(of: /\d{8}-\d{6}-[0-9a-f]{8}/).map { String($0.output) }
        #expect(Set(ids).count == 2, "\(history.stdout)")
        let latest = try CLI.run(["show", "latest"], in: directory)
        #expect(latest.status == 0, "\(latest.stderr)")
        #expect(latest.stdout.contains("partial"), "the newest run is the --only one: \(latest.stdout)")
        let newest = try #require(ids.first)
        let prefix = String(newest.prefix(newest.count - 4))
        let byPrefix = try CLI.run(["show", String(newest.dropLast(2))], in: directory)
        #expect(byPrefix.status == 0, "\(byPrefix.stderr)")
        let ambiguous = try CLI.run(["show", String(newest.prefix(9))], in: directory)
        #expect(
            ambiguous.status == 64 && ambiguous.stderr.contains("is the start of 2 runs' ids"),
            "\(prefix) \(ambiguous.stderr)")
        let none = try CLI.run(["export", "zzz", "--format", "json"], in: directory)
        #expect(none.status == 64 && none.stderr.contains("`latest` is the newest"), "\(none.stderr)")
    }
}
