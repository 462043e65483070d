import Foundation
import Testing

@testable import ShipcheckCore

@Suite struct LoaderTests {
    @Test func loadsPhasesSectionsAndItems() throws {
        let checklist = try Fixtures.load(
            """
            version: 1
            project: demo
            vars: { URL: http://x }
            roles: { reviewer: [a@x.com, b@x.com] }
            phases:
              pre-deploy:
                sections:
                  - title: Code
                    items:
                      - title: All tests passing
                        fake: { facts: { exit: 0 } }
                        timeout: 90s
                        retries: 2
                        retry-delay: 1s
                      - id: review
                        title: PR approved
                        manual: true
                        signoffs: { count: 2, role: reviewer }
              deploy:
                items:
                  - id: ship
                    title: Ship
                    fake: {}
                    severity: warn
                    expect: [exit == 0, "duration < 1s or true"]
            """)
        #expect(checklist.project == "demo")
        #expect(checklist.phases.map(\.name) == [.preDeploy, .deploy])
        let tests = try #require(checklist.item("all-tests-passing"))
        #expect(tests.timeout == 90)
        #expect(tests.retries == 2)
        #expect(tests.retryDelay == 1)
        #expect(tests.section == "Code")
        let review = try #require(checklist.item("review"))
        guard case .manual(let requirement) = review.body else {
            Issue.record("expected manual")
            return
        }
        #expect(requirement == SignoffRequirement(count: 2, distinct: true, role: "reviewer"))
        let ship = try #require(checklist.item("ship"))
        #expect(ship.severity == .warn)
        #expect(ship.expectations.count == 2)
        #expect(ship.section == "deploy")
    }

    @Test func reportsEveryProblemInOnePassWithLineColumnAndKeyPath() {
        let problems = Fixtures.problems(
            """
            version: 1
            phases:
              pre-deploy:
                sections:
                  - title: A
                    items:
                      - id: a
                        title: A
                        fake: {}
                        timout: 5s
                      - id: b
                        title: B
                        fake: {}
                        expect: exit == 0 and stdout =
                        needs: [a2]
                      - id: c
                        title: C
                        fake: {}
                        timeout: forever
                        severity: fatal
                      - id: a
                        title: Dup
                        manual: true
              pre-deplyo: {}
            """)
        let lines = problems.map(\.description)
        #expect(problems.count == 7, "\(lines)")
        #expect(
            lines.contains(
                "test.yml:10:13: at `phases.pre-deploy.sections[0].items[0].timout`: unknown key `timout`; did you mean `timeout`?"
            ))
        #expect(
            lines.contains {
                $0.hasPrefix("test.yml:14:42: at `phases.pre-deploy.sections[0].items[1].expect`: unexpected `=`")
            })
        #expect(
            lines.contains {
                $0.hasPrefix("test.yml:15:20:") && $0.contains("needs `a2`, which is not an item; did you mean `a`?")
            })
        #expect(
            lines.contains { $0.hasPrefix("test.yml:19:22:") && $0.contains("expected a duration like 90s or 10m") })
        #expect(lines.contains { $0.hasPrefix("test.yml:20:23:") && $0.contains("expected `block` or `warn`") })
        #expect(
            lines.contains {
                $0.hasPrefix("test.yml:21:17:") && $0.contains("duplicate id `a`; it is first used at test.yml:7:17")
            })
        #expect(lines.contains { $0.hasPrefix("test.yml:24:3:") && $0.contains("did you mean `pre-deploy`?") })
        // In file order.
        #expect(problems.compactMap(\.location?.line) == problems.compactMap(\.location?.line).sorted())
    }

    @Test func namesTheCycle() {
        let problems = Fixtures.problems(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, fake: {}, needs: [c] }
                  - { id: b, title: B, fake: {}, needs: [a] }
                  - { id: c, title: C, fake: {}, needs: [b] }
                  - { id: d, title: D, fake: {}, needs: [d] }
            """)
        let text = problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("needs form a cycle: a → c → b → a"), "\(text)")
        #expect(text.contains("`d` needs itself"))
    }

    @Test func needsStayWithinAPhase() {
        let problems = Fixtures.problems(
            """
            version: 1
            phases:
              pre-deploy:
                items: [{ id: a, title: A, fake: {} }]
              deploy:
                items: [{ id: b, title: B, fake: {}, needs: a }]
            """)
        #expect(problems.map(\.message).contains { $0.contains("needs stay within a phase") })
    }

    @Test func unknownVariablesAndRolesAndWhenFacts() {
        let problems = Fixtures.problems(
            """
            version: 1
            vars: { BASE_URL: x }
            roles: { reviewer: [] }
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, manual: true, signoffs: { role: reviwer } }
                  - { id: b, title: B, fake: {}, rollback: "echo ${{ vars.BASE_ULR }}" }
                  - { id: c, title: C, fake: {}, when: enviroment == "x" }
            """)
        let messages = problems.map(\.message)
        #expect(messages.contains { $0.contains("unknown role `reviwer`; did you mean `reviewer`?") })
        #expect(messages.contains { $0.contains("unknown variable `vars.BASE_ULR`; did you mean `vars.BASE_URL`?") })
        #expect(messages.contains { $0.contains("`when` reads `enviroment`") })
    }

    @Test func itemNeedsSomethingToRun() {
        let problems = Fixtures.problems(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A }
                  - { id: b, title: B, manual: true, fake: {} }
                  - { id: c, title: C, manual: true, expect: exit == 0 }
                  - { title: "" , fake: {}, id: "has space" }
            """)
        let messages = problems.map(\.message)
        #expect(messages.contains { $0.contains("item `a` has nothing to run") })
        #expect(messages.contains { $0.contains("a manual item does not run anything") })
        #expect(messages.contains { $0.contains("a manual item has no facts to expect") })
        #expect(messages.contains { $0.contains("not a valid id") })
    }

    @Test func derivedIDsAreUnique() throws {
        let checklist = try Fixtures.load(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { title: "Re-run all tests locally!", fake: {} }
                  - { title: "Re-run all tests locally", fake: {} }
            """)
        #expect(checklist.items.map(\.id) == ["re-run-all-tests-locally", "re-run-all-tests-locally-2"])
    }

    @Test(arguments: [
        ("", "is empty"),
        ("- a\n- b\n", "expected a mapping with `version: 1`"),
        ("version: 1\nphases: [\n", "not valid YAML"),
        ("version: 2\nphases: {}\n", "version 1, not 2"),
        ("phases: {}\n", "missing `version: 1`"),
        ("version: 1\n", "missing `phases:`"),
        ("version: 1\nphases:\n  pre-deploy:\n    items: 5\n", "expected a list of items, got a number"),
        (
            "version: 1\nversion: 1\nphases: {}\n",
            "test.yml:2:1: at `version`: duplicate key `version`: it appears twice in this mapping (first at line 1)"
        ),
    ])
    func badDocuments(yaml: String, fragment: String) {
        let text = Fixtures.problems(yaml).map(\.description).joined(separator: "\n")
        #expect(text.contains(fragment), "\(text)")
    }

    @Test func billionLaughsEndsInACleanError() {
        var yaml = "version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...12 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        yaml += "phases:\n  pre-deploy:\n    items:\n      - id: x\n        title: x\n        fake: { facts: *a12 }\n"
        let problems = Fixtures.problems(yaml)
        #expect(!problems.isEmpty)
    }

    @Test func nodeBudgetGrowsWithTheDocumentButStopsAliases() throws {
        // 40,000 items written out (no aliases): more nodes than the minimum budget, and they load.
        var yaml = "version: 1\nphases:\n  pre-deploy:\n    items:\n"
        for index in 0..<40_000 { yaml += "      - { id: i\(index), title: t, fake: {} }\n" }
        #expect(try Fixtures.load(yaml).items.count == 40_000)
        // 100,000 aliases of one item: 11 bytes each, about 18 nodes each once walked. Refused, saying
        // what the limit is and why.
        var bomb = "version: 1\nphases:\n  pre-deploy:\n    items:\n"
        bomb += "      - &i { title: t, fake: { facts: { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 } } }\n"
        bomb += String(repeating: "      - *i\n", count: 100_000)
        let text = Fixtures.problems(bomb).map(\.description).joined(separator: "\n")
        #expect(text.contains("nodes, more than its"), "\(text.prefix(300))")
        #expect(text.contains("YAML aliases"), "\(text.prefix(300))")
    }

    @Test func includesJoinAndCyclesAreCaught() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shipcheck-include-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        version: 1
        include: [more.yml]
        phases:
          pre-deploy:
            items: [{ id: a, title: A, fake: {}, needs: [b] }]
        """.write(to: directory.appendingPathComponent("shipcheck.yml"), atomically: true, encoding: .utf8)
        try """
        vars: { X: "1" }
        phases:
          pre-deploy:
            items: [{ id: b, title: B, fake: {} }]
        """.write(to: directory.appendingPathComponent("more.yml"), atomically: true, encoding: .utf8)
        let checklist = try Fixtures.loader.load(file: directory.appendingPathComponent("shipcheck.yml"))
        #expect(checklist.items.map(\.id).sorted() == ["a", "b"])
        #expect(checklist.variables["X"] == "1")

        try "include: shipcheck.yml\n".write(
            to: directory.appendingPathComponent("more.yml"), atomically: true, encoding: .utf8)
        #expect {
            _ = try Fixtures.loader.load(file: directory.appendingPathComponent("shipcheck.yml"))
        } throws: { error in
            "\(error)".contains("includes itself")
        }
    }

    @Test func binaryAndHugeFilesAreRefused() throws {
        let directory = FileManager.default.temporaryDirectory
        let binary = directory.appendingPathComponent("shipcheck-binary-\(UUID().uuidString).yml")
        try Data([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0xFF]).write(to: binary)
        defer { try? FileManager.default.removeItem(at: binary) }
        #expect { _ = try Fixtures.loader.load(file: binary) } throws: { "\($0)".contains("binary") }

        let huge = directory.appendingPathComponent("shipcheck-huge-\(UUID().uuidString).yml")
        var text = "version: 1\nphases:\n  pre-deploy:\n    items:\n"
        let line = "      - { title: \"An item with a long title to fill the file quickly\", fake: {} }\n"
        text += String(repeating: line, count: 10 * 1_048_576 / line.utf8.count)
        try text.write(to: huge, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: huge) }
        #expect { _ = try Fixtures.loader.load(file: huge) } throws: { "\($0)".contains("at most 4 MiB") }
    }
}
