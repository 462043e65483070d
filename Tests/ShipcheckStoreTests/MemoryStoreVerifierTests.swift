import Foundation
import ShipcheckApp
import ShipcheckStore
import Testing

/// The third store: the in-memory one the engine's tests use. Its export, as `audit export --rows`
/// writes it, is verified by scripts/verify-audit.py, which agrees with `verifyAudit()`: untouched,
/// then with an event removed.
@Suite struct MemoryStoreVerifierTests {
    static let verifier = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../scripts/verify-audit.py").standardizedFileURL.path

    static func python(_ store: RunStore) async throws -> (status: Int32, output: String) {
        let rows = try await store.auditedRows()
        let export =
            StoreViews.jsonLines(try await store.auditEvents()) + "{\"rows\":\(rows.count)}\n"
            + StoreViews.jsonLines(rows)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("memory-\(UUID().uuidString).jsonl")
        try export.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", verifier, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func thePythonVerifierAgreesOnTheMemoryStore() async throws {
        let backend = MemoryBackend()
        let store = RunStore(backend: backend)
        try await Runs.record(store, Runs.header("a"), [Runs.item("tests", .pass), Runs.item("lint", .fail)])
        try await Runs.record(store, Runs.header("b"), [Runs.item("tests", .pass)])
        #expect(try await store.verifyAudit().intact)
        let intact = try await Self.python(store)
        #expect(intact.status == 0, "\(intact.output)")
        await backend.tamper { _, chain in chain.remove(at: 2) }
        let report = try await store.verifyAudit()
        let broken = try await Self.python(store)
        #expect(!report.intact && broken.status == 1, "\(broken.output)")
        let first = try #require(report.problems.first)
        #expect(broken.output.contains("event #\(first.seq ?? 0) ("), "\(first) vs \(broken.output)")
    }
}
