import Foundation

@testable import ShipcheckCore

/// A kind for engine tests: `fake: { facts: {…}, sleep: 0.1, error: "…", fail-times: 2 }`.
struct FakeCheck: Check {
    let facts: Facts
    let sleep: Double
    let error: String?
    let failTimes: Int
    let attempts = AttemptCounter()

    var defaultExpectations: [FactExpression] { [try! FactExpression.parse("exit == 0")] }
    var summary: String { "fake" }

    func run(in context: CheckContext) async throws(CheckError) -> Facts {
        let attempt = attempts.next()
        if sleep > 0 {
            do {
                try await Task.sleep(for: .seconds(sleep))
            } catch {
                throw CheckError("stopped")
            }
        }
        if let error { throw CheckError(error) }
        var facts = self.facts
        if attempt <= failTimes { facts["exit"] = .number(1) }
        if facts["exit"] == nil { facts["exit"] = .number(0) }
        return facts
    }

    static let description = KindDescription(
        key: "fake", name: "Fake", summary: "Test double.", parameters: [Parameter("fake", .object([]), "")],
        facts: [], examples: []
    ) { reader in
        guard let fields = reader["fake"]?.fields(allowed: ["facts", "sleep", "error", "fail-times"]) else {
            return nil
        }
        var facts: Facts = [:]
        for (key, _, value) in fields["facts"]?.mapping() ?? [] {
            let text = value.string() ?? ""
            facts[key] = Double(text).map(Value.number) ?? .string(text)
        }
        let sleep = fields["sleep"].flatMap { Double($0.string() ?? "") } ?? 0
        return FakeCheck(
            facts: facts, sleep: sleep, error: fields["error"]?.string(),
            failTimes: fields["fail-times"]?.integer(in: 0...100) ?? 0)
    }
}

final class AttemptCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func next() -> Int {
        lock.withLock {
            count += 1
            return count
        }
    }
}

enum Fixtures {
    static let loader = ConfigLoader(kinds: [FakeCheck.description])

    static func load(_ yaml: String) throws -> Checklist {
        try loader.load(yaml: yaml, file: "test.yml")
    }

    static func problems(_ yaml: String) -> [Diagnostic] {
        do {
            _ = try loader.load(yaml: yaml, file: "test.yml")
            return []
        } catch {
            return error.diagnostics
        }
    }

    static let fixedDate = Date(timeIntervalSince1970: 1_790_000_000)

    static let environment = RunEnvironment(now: { fixedDate }, makeRunID: { "run-1" })

    /// A run environment whose monotonic clock moves only when the engine sleeps, at once.
    static func environment(clock: ManualClock) -> RunEnvironment {
        RunEnvironment(
            now: { fixedDate }, makeRunID: { "run-1" }, uptime: { clock.seconds }, sleep: { clock.sleep($0) })
    }

    static func options(
        _ phase: PhaseName = .preDeploy, jobs: Int = 4, env: String? = nil, type: String? = nil,
        only: [String] = [], skip: [String] = []
    ) -> RunOptions {
        RunOptions(
            phase: phase, environment: env, deployType: type, jobs: jobs, only: only, skip: skip,
            actor: "tester@example.com", workingDirectory: URL(fileURLWithPath: NSTemporaryDirectory()),
            processEnvironment: ["PATH": "/usr/bin:/bin", "API_TOKEN": "tok-secret-123"], toolVersion: "test")
    }
}

/// Records engine events, for order and parallelism assertions.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [String] = []
    private var running = 0
    private(set) var maxRunning = 0

    func record(_ event: EngineEvent) {
        lock.withLock {
            switch event {
            case .started(let item):
                events.append("start \(item.id)")
                running += 1
                maxRunning = max(maxRunning, running)
            case .finished(let result):
                events.append("end \(result.id)")
                if result.startedAt != nil { running -= 1 }
            case .retrying(let item, let attempt, _):
                events.append("retry \(item.id) \(attempt)")
            }
        }
    }

    func index(of event: String) -> Int? {
        lock.withLock { events.firstIndex(of: event) }
    }
}

/// Time that passes only when asked to: sleeps return at once, advance the clock and are remembered.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var elapsed = 0.0
    private var requested: [Double] = []

    var seconds: Double { lock.withLock { elapsed } }
    var sleeps: [Double] { lock.withLock { requested } }

    func sleep(_ duration: Double) {
        lock.withLock {
            elapsed += duration
            requested.append(duration)
        }
    }
}
