import Foundation
import ShipcheckCore
import Testing

@testable import ShipcheckChecks

enum Harness {
    static let loader = ConfigLoader(kinds: CheckKinds.all)

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shipcheck-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Loads items (the YAML under `items:`) and runs them in `directory`.
    static func run(
        items: String, in directory: URL? = nil, environment: [String: String] = [:],
        vars: String = "{}", jobs: Int = 4, history: (any RunHistory)? = nil, commit: String? = nil
    ) async throws -> RunResult {
        let yaml =
            "version: 1\nvars: \(vars)\nsecrets: [MY_SECRET_NAMED]\nphases:\n  pre-deploy:\n    items:\n"
            + items.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(
                separator: "\n")
        let checklist = try loader.load(yaml: yaml, file: "test.yml")
        let directory = try directory ?? temporaryDirectory()
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment.merge(environment) { _, new in new }
        var options = RunOptions(
            phase: .preDeploy, jobs: jobs, actor: "tester", workingDirectory: directory,
            processEnvironment: processEnvironment, toolVersion: "test")
        options.provenance.commit = commit
        return await Engine(checklist: checklist, options: options, history: history).run()
    }

    /// The problems the loader reports for a configuration that must not load; records an issue if it loads.
    static func problems(
        _ yaml: String, file: String = "test.yml", sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> String {
        do {
            _ = try loader.load(yaml: yaml, file: file)
            Issue.record("expected the loader to report problems", sourceLocation: sourceLocation)
            return ""
        } catch {
            return error.description
        }
    }

    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!
    }
}

extension RunResult {
    subscript(_ id: String) -> ItemResult? { items.first { $0.id == id } }
}
