import Foundation
import Testing

@testable import ShipcheckCore

@Suite struct EngineTests {
    func run(
        _ yaml: String, options: RunOptions = Fixtures.options(), signoffs: (any SignoffSource)? = nil,
        log: EventLog = EventLog(), environment: RunEnvironment = Fixtures.environment
    ) async throws -> RunResult {
        let checklist = try Fixtures.load(yaml)
        return await Engine(
            checklist: checklist, options: options, environment: environment,
            signoffSource: signoffs, observer: { log.record($0) }
        ).run()
    }

    func outcome(_ run: RunResult, _ id: String) -> Outcome? {
        run.items.first { $0.id == id }?.outcome
    }

    @Test func respectsNeedsOrder() async throws {
        let log = EventLog()
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: c, title: C, fake: { sleep: 0.01 }, needs: [a, b] }
                  - { id: a, title: A, fake: { sleep: 0.05 } }
                  - { id: b, title: B, fake: { sleep: 0.02 }, needs: [a] }
                  - { id: d, title: D, fake: {} }
            """, log: log)
        #expect(result.verdict == .passed)
        #expect(result.items.map(\.id) == ["c", "a", "b", "d"], "results keep file order")
        let endA = try #require(log.index(of: "end a"))
        let startB = try #require(log.index(of: "start b"))
        let endB = try #require(log.index(of: "end b"))
        let startC = try #require(log.index(of: "start c"))
        #expect(endA < startB)
        #expect(endB < startC)
    }

    @Test func boundsParallelism() async throws {
        let log = EventLog()
        // Each a check of its own: items with the same check would run it once between them.
        let items = (1...12).map { "      - { id: i\($0), title: I\($0), fake: { sleep: 0.05\($0) } }" }.joined(
            separator: "\n")
        let result = try await run(
            "version: 1\nphases:\n  pre-deploy:\n    items:\n" + items, options: Fixtures.options(jobs: 3), log: log)
        #expect(result.count(.pass) == 12)
        // The behaviour itself, not a wall-clock proxy for it: never more than 3 at once, and 3 reached.
        #expect(log.maxRunning == 3)
    }

    @Test func skipsDependantsOfAFailureWithTheReason() async throws {
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: build, title: Build, fake: { facts: { exit: 2 } } }
                  - { id: test, title: Test, fake: {}, needs: build }
                  - { id: deploy, title: Deploy, fake: {}, needs: test }
                  - { id: lint, title: Lint, fake: {} }
            """)
        #expect(outcome(result, "build") == .fail)
        #expect(outcome(result, "test") == .skipped)
        #expect(result.items.first { $0.id == "test" }?.reason == "needs `build`, which failed")
        #expect(result.items.first { $0.id == "deploy" }?.reason == "needs `test`, which was skipped")
        #expect(outcome(result, "lint") == .pass)
        #expect(result.verdict == .failed)
    }

    @Test func whenConditionsAndNotApplicableDependencies() async throws {
        let yaml = """
            version: 1
            environments: { staging: {}, production: { skip: [notify] } }
            types: { standard: {}, hotfix: {} }
            phases:
              pre-deploy:
                items:
                  - { id: prod-only, title: P, fake: {}, when: env == "production" }
                  - { id: after, title: After, fake: {}, needs: prod-only }
                  - { id: hotfix, title: H, fake: {}, when: type == "hotfix" }
                  - { id: notify, title: N, fake: {} }
            """
        let staging = try await run(yaml, options: Fixtures.options(env: "staging", type: "standard"))
        #expect(outcome(staging, "prod-only") == .skipped)
        #expect(staging.items.first { $0.id == "prod-only" }?.reason == #"when `env == "production"` is false"#)
        #expect(outcome(staging, "after") == .pass, "an item that does not apply does not block its dependants")
        #expect(outcome(staging, "hotfix") == .skipped)
        #expect(outcome(staging, "notify") == .pass)
        let production = try await run(yaml, options: Fixtures.options(env: "production", type: "hotfix"))
        #expect(outcome(production, "prod-only") == .pass)
        #expect(outcome(production, "hotfix") == .pass)
        #expect(production.items.first { $0.id == "notify" }?.reason == "the production environment skips it")
    }

    @Test func severityWarnDoesNotBlock() async throws {
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: todo, title: T, fake: { facts: { todos: 3 } }, expect: todos == 0, severity: warn }
            """)
        #expect(outcome(result, "todo") == .warn)
        #expect(result.items[0].reason == "todos = 3, expected == 0")
        #expect(result.verdict == .passed)
    }

    @Test func couldNotRunIsAnErrorNeverAPass() async throws {
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: broken, title: B, fake: { error: "tool missing" } }
                  - { id: missing-fact, title: M, fake: { facts: { status: 200 } }, expect: coverage.percent >= 80 }
            """)
        #expect(outcome(result, "broken") == .error)
        #expect(result.items[0].reason == "tool missing")
        // The check ran and answered without the fact asked for: the wrong shape fails, it does not pass
        // and is not "could not run" either.
        #expect(outcome(result, "missing-fact") == .fail)
        #expect(result.items[1].reason?.contains("fact `coverage.percent` is missing") == true)
        #expect(result.items[1].expectations.first?.held == false)
        // A blocking fail decides the verdict before an error does.
        #expect(result.verdict == .failed)
    }

    /// An empty phase, or one whose every item was skipped, checked nothing: not a pass.
    @Test func aGateThatCheckedNothingDoesNotPass() async throws {
        let skipped = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, fake: {}, when: env == "production" }
                  - { id: b, title: B, fake: {}, needs: [a], when: env == "production" }
            """)
        #expect(skipped.items.allSatisfy { $0.outcome == .skipped })
        #expect(skipped.verdict == .error)
        #expect(TerminalReporter(color: false).summary(skipped).contains("no item was checked (all 2 skipped)"))
        let empty = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, fake: {} }
            """, options: Fixtures.options(.postDeploy))
        #expect(empty.items.isEmpty)
        #expect(empty.verdict == .error)
    }

    @Test func timeoutIsAnError() async throws {
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: slow, title: S, fake: { sleep: 30 }, timeout: 100ms }
            """)
        #expect(outcome(result, "slow") == .error)
        #expect(result.items[0].reason?.hasPrefix("timed out after 100ms") == true)
        // Far below the 30s sleep: the timeout ended it (with slack for a machine busy with the suite).
        #expect(result.items[0].duration < 20)
    }

    @Test func retriesWithBackoffUntilPass() async throws {
        let log = EventLog()
        let clock = ManualClock()
        // Delays of minutes, waited on the test's clock: the backoff is checked exactly, at once.
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: flaky, title: F, fake: { fail-times: 2 }, retries: 3, retry-delay: 1m }
            """, log: log, environment: Fixtures.environment(clock: clock))
        #expect(outcome(result, "flaky") == .pass)
        #expect(result.items[0].attempts == 3)
        #expect(clock.sleeps == [60, 120])
        #expect(result.items[0].duration == 180)
        #expect(log.index(of: "retry flaky 2") != nil && log.index(of: "retry flaky 3") != nil)
    }

    @Test func retriesEndWhenTheyRunOut() async throws {
        let clock = ManualClock()
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: hopeless, title: H, fake: { facts: { exit: 1 } }, retries: 1, retry-delay: 10s }
            """, environment: Fixtures.environment(clock: clock))
        #expect(outcome(result, "hopeless") == .fail)
        #expect(result.items[0].attempts == 2)
        #expect(clock.sleeps == [10])
    }

    @Test func manualItemsArePendingUntilSignedOff() async throws {
        struct Given: SignoffSource {
            let actors: [String]
            func signoffs(for item: Item) async -> [Signoff] {
                actors.map { Signoff(actor: $0, note: "looked", at: Fixtures.fixedDate) }
            }
        }
        let yaml = """
            version: 1
            roles: { reviewer: [a@x, b@x] }
            phases:
              pre-deploy:
                items:
                  - id: review
                    title: PR approved by 2 reviewers
                    description: Check the PR page.
                    manual: true
                    signoffs: { count: 2, role: reviewer }
            """
        let none = try await run(yaml)
        #expect(none.items[0].outcome == .pending)
        #expect(none.items[0].reason == "awaiting 2 sign-offs from role reviewer")
        #expect(none.verdict == .failed)

        let twiceSame = try await run(yaml, signoffs: Given(actors: ["a@x", "a@x", "mallory@x"]))
        #expect(twiceSame.items[0].outcome == .pending)
        #expect(twiceSame.items[0].reason?.contains("(1 of 2 given)") == true)
        #expect(twiceSame.items[0].reason?.contains("mallory@x does not hold the role reviewer") == true)

        let done = try await run(yaml, signoffs: Given(actors: ["a@x", "b@x"]))
        #expect(done.items[0].outcome == .pass)
        #expect(done.items[0].signoffs.map(\.actor) == ["a@x", "b@x"])
        #expect(done.verdict == .passed)
    }

    @Test func onlyRunsWhatIsNeededAndSkipIsRecorded() async throws {
        let yaml = """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, fake: {} }
                  - { id: b, title: B, fake: {}, needs: a }
                  - { id: c, title: C, fake: {} }
            """
        let only = try await run(yaml, options: Fixtures.options(only: ["b"]))
        #expect(only.items.map(\.id) == ["a", "b"])
        let skip = try await run(yaml, options: Fixtures.options(skip: ["a"]))
        #expect(skip.items.first { $0.id == "a" }?.reason == "skipped with --skip")
        #expect(skip.items.first { $0.id == "b" }?.outcome == .skipped)
    }

    @Test func cancellationStopsTheRunAndRecordsIt() async throws {
        let checklist = try Fixtures.load(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: long, title: L, fake: { sleep: 30 } }
                  - { id: later, title: Later, fake: {}, needs: long }
            """)
        let engine = Engine(checklist: checklist, options: Fixtures.options(), environment: Fixtures.environment)
        let task = Task { await engine.run() }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let result = await task.value
        #expect(result.interrupted)
        #expect(result.verdict == .interrupted)
        #expect(result.items.first { $0.id == "long" }?.outcome == .error)
        #expect(result.items.first { $0.id == "long" }?.reason?.hasPrefix("interrupted") == true)
        #expect(result.items.first { $0.id == "later" }?.outcome == .skipped)
    }

    @Test func secretsAreRedactedFromFactsAndReasons() async throws {
        let result = try await run(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: leak, title: L, fake: { facts: { out: "token=tok-secret-123" } }, expect: out == "nothing" }
            """)
        let item = result.items[0]
        #expect(item.facts["out"] == .string("token=***"))
        #expect(item.reason?.contains("tok-secret-123") == false)
        #expect(item.reason?.contains("***") == true)
    }

    /// One item evaluated outside a phase run (as a watch samples a probe): judged and redacted as in
    /// a gate, retries included, and nothing recorded.
    @Test func anItemEvaluatesOnItsOwnAsInAGate() async throws {
        let checklist = try Fixtures.load(
            """
            version: 1
            phases:
              post-deploy:
                items:
                  - { id: health, title: H, fake: { facts: { status: 503, out: "token=tok-secret-123" } }, expect: status == 200 }
                  - { id: flaky, title: F, fake: { fail-times: 1 }, retries: 1, retry-delay: 1ms }
            """)
        let recorder = CountingRecorder()
        let engine = Engine(checklist: checklist, options: Fixtures.options(), recorder: recorder)
        let health = try #require(checklist.item("health"))
        let judged = await engine.evaluate(health)
        #expect(judged.outcome == .fail && judged.reason?.contains("503") == true)
        #expect(judged.facts["out"] == .string("token=***"))
        let flaky = await engine.evaluate(try #require(checklist.item("flaky")))
        #expect(flaky.outcome == .pass && flaky.attempts == 2)
        #expect(await recorder.count == 0, "nothing recorded")
    }

    @Test func optionsAreCheckedAgainstTheChecklist() throws {
        let checklist = try Fixtures.load(
            """
            version: 1
            environments: { staging: {} }
            phases:
              pre-deploy:
                items: [{ id: tests, title: T, fake: {} }]
            """)
        let problems = Fixtures.options(env: "stagign", only: ["tset"]).problems(in: checklist)
        #expect(problems.contains("--only: no item `tset`; did you mean `tests`?"))
        #expect(problems.contains("--env: no environment `stagign`; did you mean `staging`?"))
        #expect(!Fixtures.options(.deploy).problems(in: checklist).isEmpty)
    }
}

/// Counts what a recorder is told.
actor CountingRecorder: RunRecorder {
    var count = 0

    func runBegan(_ run: RunHeader) async { count += 1 }
    func itemStarted(_ item: Item, runID: String) async { count += 1 }
    func itemFinished(_ result: ItemResult, runID: String) async { count += 1 }
    func runFinished(_ result: RunResult) async { count += 1 }
}
