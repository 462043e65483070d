import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

/// examples/mina's probe items, run as they are written, with the URLs the environment gives
/// pointed at the loopback test server.
@Suite struct MinaExampleTests {
    @Test func keyMetricsAndHealthRunAgainstTheURLsTheEnvironmentGives() async throws {
        let base = try await TestServer.shared.start()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../examples/mina")
        let checklist = try Harness.loader.load(file: root.appendingPathComponent("shipcheck.yml"))
        var environment = ProcessInfo.processInfo.environment
        environment["MINA_BASE_URL"] = base
        environment["MINA_WS_URL"] = base.replacingOccurrences(of: "http://", with: "ws://") + "/ws/echo"
        let options = RunOptions(
            phase: .preDeploy, environment: "production", deployType: "standard",
            only: ["key-metrics", "health-checks"], actor: "tester", workingDirectory: root,
            processEnvironment: environment, toolVersion: "test")
        let run = await Engine(checklist: checklist, options: options).run()
        let metrics = try #require(run["key-metrics"])
        #expect(metrics.outcome == .pass, "\(metrics.reason ?? "")")
        #expect(metrics.facts["api.requests"] == .number(200))
        #expect(metrics.facts["ws.replies"] == .number(50))
        #expect(metrics.facts["ws.json.type"] == .string("ping"))
        #expect(run["health-checks"]?.outcome == .pass, "\(run["health-checks"]?.reason ?? "")")

        // Without the environment, the same items cannot run: errors that say what is missing.
        environment["MINA_WS_URL"] = nil
        let unset = await Engine(
            checklist: checklist,
            options: RunOptions(
                phase: .preDeploy, environment: "production", deployType: "standard", only: ["key-metrics"],
                actor: "tester",
                workingDirectory: root, processEnvironment: environment, toolVersion: "test")
        ).run()
        #expect(unset["key-metrics"]?.outcome == .error)
        #expect(
            unset["key-metrics"]?.reason?.contains("it reads `${{ env.MINA_WS_URL }}`, which is not set") == true,
            "\(unset["key-metrics"]?.reason ?? "")")
    }

    @Test func databaseHealthRunsAgainstTheDatabaseTheEnvironmentNames() async throws {
        guard let database = Services.url("POSTGRES") else { return }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../examples/mina")
        let checklist = try Harness.loader.load(file: root.appendingPathComponent("shipcheck.yml"))
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = database
        let run = await Engine(
            checklist: checklist,
            options: RunOptions(
                phase: .postDeploy, environment: "production", deployType: "standard", only: ["database-healthy"],
                actor: "tester",
                workingDirectory: root, processEnvironment: environment, toolVersion: "test")
        ).run()
        let item = try #require(run["database-healthy"])
        #expect(item.outcome == .pass, "\(item.reason ?? "")")
        #expect(item.facts["postgres.up"] == .bool(true))
        // The password in DATABASE_URL is a secret of the checklist: it shows nowhere in the result.
        let password = URLComponents(string: database)?.password ?? "shipcheck-test-pw"
        #expect(!"\(item)".contains(password))
    }
}
