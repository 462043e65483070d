import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckChecks
import ShipcheckCore
import ShipcheckStore

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "What would block a deploy right now, and why. Runs nothing.",
        discussion: """
            Reads the deploy windows, freezes and runway at a time (now by default), the items the \
            environment or type leaves out of the pre-deploy gate, and the gate's items whose newest \
            recorded result for this commit failed. Exit 0 when nothing blocks, 1 otherwise.

            Examples:
              shipcheck plan --env production --type standard
              shipcheck plan --env production --type hotfix --at 2026-12-08T23:00
              shipcheck plan --env production --type standard --at 2026-12-08T18:30-08:00 --format json
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The environment to deploy to.") var env: String?
    @Option(name: .long, help: "The deploy type.") var type: String?
    @Option(
        name: .long,
        help: "When: YYYY-MM-DDTHH:MM, in the configuration's `timezone:` unless it ends in Z or ±HH:MM (default now)."
    )
    var at: String?
    @Flag(name: .long, help: "Do not read the run store (no recorded failures, no typical duration).")
    var noStore = false
    @Option(name: .long, help: "text or json.") var format: String = "text"

    func validate() throws {
        if !["text", "json"].contains(format) { throw ValidationError("--format: expected text or json") }
    }

    func run() async throws {
        let (checklist, url) = try configOptions.load()
        if let env, checklist.environments[env] == nil {
            throw CommandFailure("--env: `\(env)` is not an environment of \(url.lastPathComponent)", .usage)
        }
        if let type, checklist.deployTypes[type] == nil {
            throw CommandFailure("--type: `\(type)` is not a deploy type of \(url.lastPathComponent)", .usage)
        }
        var when = Date()
        if let at {
            guard let parsed = DeployCalendar.parseTime(at, zone: checklist.timeZone) else {
                throw CommandFailure(
                    "--at: `\(at)` is not a time; expected e.g. 2026-12-08T18:30 or 2026-12-08T18:30-08:00", .usage)
            }
            when = parsed
        }
        let (at, env, type) = (when, env, type)
        let make = { @Sendable (store: RunStore?) async throws -> DeployPlan in
            try await DeployPlan.make(
                checklist: checklist, directory: url.deletingLastPathComponent(), environment: env, deployType: type,
                at: at, processEnvironment: ProcessInfo.processInfo.environment, store: store)
        }
        let plan: DeployPlan
        if noStore {
            do {
                plan = try await make(nil)
            } catch {
                throw CommandFailure("\(error)", .couldNotEvaluate)
            }
        } else {
            plan = try await storeOptions.reader(configOptions).reading { try await make($0) }
        }
        Console.out(format == "json" ? StoreViews.json(plan) : plan.text, terminator: "")
        if plan.blocked { throw ExitCode(ExitCodes.failed) }
    }
}
