import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore
import ShipcheckStore

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy: lock, gate, baseline, the deploy's actions, watch, post-deploy; roll back by itself.",
        discussion: """
            Runs the whole deploy with the environment's deploy lock held from start to end: the plan's \
            calendar (window, freezes, runway) and the lock refuse at once; then the pre-deploy gate; a \
            baseline of the watch phase's probes; the deploy phase one action at a time; the watch, \
            where `triggers:` judge every sample (absolute conditions, and `above-baseline` growth with \
            a Mann-Whitney U test); the post-deploy checks. A failed step or a rollback trigger runs the \
            counterparts (`rollback:`) of the actions that ran, newest first (or else the rollback \
            phase), then samples the probes until the service answers as before. Every step is recorded \
            in one deployment record; the checks see the version as $SHIPCHECK_RELEASE, the one before \
            as $SHIPCHECK_PREVIOUS_RELEASE.

            Exit codes: 0 deployed, 1 refused, stopped by the gate, rolled back, or post-deploy checks \
            not passed, 2 the rollback did not restore the service or the store failed, 64 usage, \
            130 interrupted.

            Examples:
              shipcheck deploy --env production --version v1.2.3
              shipcheck deploy --env production --type hotfix --version v1.2.4 --dry-run
              shipcheck deploy --resume deploy-20261207-101500-1a2b3c4d
              shipcheck deploy --resume latest
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The environment (from `environments:`).") var env: String?
    @Option(name: .long, help: "The deploy type (from `types:`).") var type: String?
    @Option(name: .long, help: "The version deployed (the checks see it as $SHIPCHECK_RELEASE).") var version: String?
    @Option(name: .long, help: "Who deploys (default: $SHIPCHECK_ACTOR, else git's user.email).") var actor: String?
    @Option(name: .long, help: "`oidc`: who deploys is what the CI's OpenID Connect ID token says, verified.")
    var identity: String?
    @Flag(name: .long, help: "Say what would run and whether the plan allows it; change nothing.") var dryRun = false
    @Flag(name: .long, help: "Run every check again instead of reusing earlier passing results.") var noReuse = false
    @Option(
        name: .long,
        help:
            "Finish a deployment whose process stopped, after its last finished step: its id, a unique start of it, or `latest`."
    )
    var resume: String?
    @Flag(name: .long, help: "With --resume: run again an action that may have been cut off halfway.") var rerun = false

    func validate() throws {
        if resume == nil, env == nil { throw ValidationError("--env: which environment to deploy to") }
        if resume != nil, env != nil || type != nil || version != nil || dryRun {
            throw ValidationError(
                "--resume finishes what the deployment was asked for; drop --env, --type, --version and --dry-run")
        }
        if rerun, resume == nil { throw ValidationError("--rerun goes with --resume") }
    }

    func run() async throws {
        let (checklist, configURL) = try configOptions.load()
        for warning in checklist.warnings { Console.note("warning: \(warning)") }
        var request = DeployRequest(environment: env ?? "")
        request.deployType = type
        request.version = version
        request.actor = actor
        request.oidc = try IdentityOption.oidc(identity)
        request.store = storeOptions.store
        request.reusesEvidence = !noReuse
        let pipeline = DeployPipeline(
            checklist: checklist, configURL: configURL, request: request,
            environment: ProcessInfo.processInfo.environment, say: DeployOutput.say, ask: DeployOutput.ask)
        if dryRun {
            let (text, blocked) = try await pipeline.dryRun()
            Console.out(text, terminator: "")
            if blocked { throw ExitCode(ExitCodes.failed) }
            return
        }
        let resume = resume
        let rerun = rerun
        let deployment = try await DeployOutput.running {
            if let resume { return try await pipeline.resume(resume, rerun: rerun) }
            return try await pipeline.deploy()
        }
        DeployOutput.finish(deployment)
    }
}

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Roll an environment back by hand: the rollback phase under the deploy lock, then the probes.",
        discussion: """
            Runs the rollback phase (the emergency rollback's abbreviated checklist) with the \
            environment's deploy lock held, then samples the watch probes until the service answers. \
            The checks see the version returned to as $SHIPCHECK_RELEASE: --to, else the version the \
            environment ran before its newest deployment. Recorded as a deployment whose rollback was \
            by hand.

            Examples:
              shipcheck rollback --env production
              shipcheck rollback --env production --to v1.2.2
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The environment (from `environments:`).") var env: String
    @Option(name: .long, help: "The version to return to (default: the one before the newest deployment).")
    var to: String?
    @Option(name: .long, help: "Who rolls back (default: $SHIPCHECK_ACTOR, else git's user.email).") var actor: String?
    @Option(name: .long, help: "`oidc`: who rolls back is what the CI's OpenID Connect ID token says, verified.")
    var identity: String?

    func run() async throws {
        let (checklist, configURL) = try configOptions.load()
        var request = DeployRequest(environment: env)
        request.version = to
        request.actor = actor
        request.oidc = try IdentityOption.oidc(identity)
        request.store = storeOptions.store
        request.reusesEvidence = false
        let pipeline = DeployPipeline(
            checklist: checklist, configURL: configURL, request: request,
            environment: ProcessInfo.processInfo.environment, say: DeployOutput.say, ask: nil)
        let deployment = try await DeployOutput.running { try await pipeline.rollback() }
        DeployOutput.finish(deployment)
    }
}

/// How `deploy` and `rollback` show their progress and end.
enum DeployOutput {
    static let say: @Sendable (DeployPipeline.Event) -> Void = { event in
        switch event {
        case .note(let text): Console.note(text)
        case .run(let outcome):
            Console.note(
                TerminalReporter(color: Console.useColor).summary(outcome.result, unrecorded: outcome.unrecorded)
                    .trimmingCharacters(in: .newlines))
            for report in outcome.printed { Console.out(report, terminator: "") }
            for warning in outcome.warnings { Console.note("warning: \(warning)") }
        }
    }

    /// Asks at the terminal; nil (nobody to ask) without one.
    static let ask: DeployPipeline.Ask = { question in
        guard Console.stdinIsTerminal else { return nil }
        Console.note("\(question) [y/N] ")
        guard let line = readLine() else { return nil }
        return ["y", "yes"].contains(line.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// Runs the pipeline; the first Ctrl-C ends it as interrupted (its lock released).
    static func running(_ body: @escaping @Sendable () async throws -> Deployment) async throws -> Deployment {
        let task = Task { try await body() }
        let interruption = Interruption { task.cancel() }
        defer { interruption.disarm() }
        return try await task.value
    }

    static func finish(_ deployment: Deployment) {
        let line =
            switch deployment.status {
            case .deployed: "Deployed\(deployment.version.map { " \($0)" } ?? "") to \(deployment.environment)"
            case .unverified: "Deployed, but the post-deploy checks did not pass"
            case .rolledBack: "Rolled back: \(deployment.rollback?.reason ?? "")"
            case .rollbackFailed: "ROLLBACK DID NOT RESTORE THE SERVICE: \(deployment.rollback?.reason ?? "")"
            case .stopped: "Stopped before any change"
            case .interrupted: "Interrupted"
            case .running: "Still running"
            }
        Console.out("\(line) — deployment \(deployment.id)")
        let code: Int32 =
            switch deployment.status {
            case .deployed: ExitCodes.passed
            case .unverified, .rolledBack, .stopped: ExitCodes.failed
            case .rollbackFailed, .running: ExitCodes.couldNotEvaluate
            case .interrupted: ExitCodes.interrupted
            }
        if code != 0 { Shipcheck.exit(withError: ExitCode(code)) }
    }
}
