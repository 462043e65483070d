import Foundation
import ShipcheckStore
import ShipcheckTestSupport
import Testing

/// Twenty processes write 100 runs each into one store at once: all 2,000 runs arrive, and the
/// audit chain they share is intact. A load stage of its own (`SHIPCHECK_LOAD_TESTS=1`, run by
/// `.ci/run` after the suite): beside the suite, even four writers starved its latency tests on a
/// 2-core machine. Without the variable it is skipped, saying so.
@Suite(.serialized, .enabled(if: LoadStage.enabled)) struct ConcurrentWritersTests {
    static let writers = 20
    static let runsEach = 100

    /// The helper executable, beside the test runner.
    static var loader: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shipcheck-store-load")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return SharedFiles.packageRoot.appendingPathComponent(".build/debug/shipcheck-store-load")
    }

    func writeConcurrently(into location: String) throws {
        let quoted = "'" + location.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let script = """
            status=0
            for writer in $(seq 1 \(Self.writers)); do '\(Self.loader.path)' \(quoted) "$writer" \(Self.runsEach) & done
            for job in $(jobs -p); do wait "$job" || status=1; done
            exit $status
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: message, as: UTF8.self))")
    }

    func expectEveryRun(in location: String) async throws {
        let store = try await StoreLocation.open(location, environment: [:], configDirectory: URL(fileURLWithPath: "/"))
        let runs = try await store.history(HistoryQuery())
        #expect(runs.count == Self.writers * Self.runsEach)
        #expect(Set(runs.map(\.runID)).count == Self.writers * Self.runsEach)
        #expect(runs.allSatisfy { $0.outcome == "passed" })
        let report = try await store.verifyAudit()
        #expect(report.intact, "\(report.problems.prefix(5))")
        #expect(report.events == Self.writers * Self.runsEach * 5)
        try await store.backend.close()
    }

    @Test func intoOneSQLiteFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "shipcheck-writers-\(UUID().uuidString)/shipcheck.db"
        ).path
        try writeConcurrently(into: path)
        try await expectEveryRun(in: path)
    }

    @Test func intoOnePostgreSQLDatabase() async throws {
        guard let url = TestStore.postgresURL() else { return }
        try writeConcurrently(into: url)
        try await expectEveryRun(in: url)
    }
}

enum LoadStage {
    static var enabled: Bool {
        if ProcessInfo.processInfo.environment["SHIPCHECK_LOAD_TESTS"] == "1" { return true }
        Skips.record(
            "the concurrent-writers load test runs on its own with SHIPCHECK_LOAD_TESTS=1 (.ci/run's load stage)")
        return false
    }
}
