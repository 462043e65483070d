import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore

/// The environment named by --env, which the configuration must declare.
func declaredEnvironment(_ name: String, in checklist: Checklist, file: URL) throws -> EnvironmentConfig {
    guard let environment = checklist.environments[name] else {
        Console.error("--env: `\(name)` is not an environment of \(file.lastPathComponent)")
        throw ExitCode.usageFailure
    }
    return environment
}

/// Refuses (exit 1, naming the role needed) an actor who holds no role the environment's
/// `bypass:` names: ending a freeze, waiving an item and overriding the calendar all need one.
func requireBypass(_ actor: Identity, in environment: EnvironmentConfig, of checklist: Checklist, to doWhat: String)
    throws
{
    guard let refusal = Policy(checklist).bypassRefusal(actor.name, environment: environment.name, toDo: doWhat)
    else { return }
    Console.error(refusal)
    throw ExitCode(ExitCodes.failed)
}

struct FreezeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze",
        abstract: "Declare an emergency freeze: no deploy to the environment starts until it thaws by itself.",
        discussion: """
            Recorded in the run store with who declared it and why. Anyone may declare one; ending it \
            early (`shipcheck unfreeze`) needs a role the environment's `bypass:` names.

            Examples:
              shipcheck freeze --env production --for 4h --reason "incident #123"
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The environment to freeze.") var env: String
    @Option(name: .customLong("for"), help: "How long, e.g. 4h or 30m; it thaws by itself after.") var duration: String
    @Option(name: .long, help: "Why, shown to whoever tries to deploy.") var reason: String
    @Option(name: .long, help: "Who declares it (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?

    func validate() throws {
        guard parseDuration(duration) != nil else {
            throw ValidationError("--for: `\(duration)` is not a duration (e.g. 4h)")
        }
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason: say why") }
    }

    func run() async throws {
        let (checklist, url) = try configOptions.load()
        _ = try declaredEnvironment(env, in: checklist, file: url)
        let who = await GateRunner.resolveActor(
            actor, directory: url.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)
        let store = try await openStore(storeOptions, configOptions, access: .readWrite)
        let now = Date()
        let freeze = try await reading(store) {
            try await store.declareFreeze(
                environment: env, reason: reason, actor: who, from: now,
                until: now.addingTimeInterval(parseDuration(duration) ?? 0))
        }
        try? await store.backend.close()
        Console.out(
            "\(env) is frozen until \(ISO8601DateFormatter().string(from: freeze.until)) (\(freeze.id), by \(who)): \(reason)"
        )
    }
}

struct UnfreezeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unfreeze",
        abstract: "End the environment's emergency freezes before they thaw by themselves.",
        discussion: """
            Only a member of a role the environment's `bypass:` names may; the end is recorded with who.

            Examples:
              shipcheck unfreeze --env production --actor frank@mina.com
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The environment to unfreeze.") var env: String
    @Option(name: .long, help: "Who ends it (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?

    func run() async throws {
        let (checklist, url) = try configOptions.load()
        let environment = try declaredEnvironment(env, in: checklist, file: url)
        let who = await GateRunner.resolveActor(
            actor, directory: url.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)
        try requireBypass(who, in: environment, of: checklist, to: "end a freeze of \(env)")
        let store = try await openStore(storeOptions, configOptions, access: .readWrite)
        let ended = try await reading(store) {
            try await store.endFreezes(environment: env, actor: who, at: Date(), policy: Policy(checklist))
        }
        try? await store.backend.close()
        if ended.isEmpty {
            Console.out("\(env) has no emergency freeze in force")
        } else {
            for freeze in ended {
                Console.out("ended \(freeze.id) (\(freeze.reason)), declared by \(freeze.declaredBy)")
            }
        }
    }
}
