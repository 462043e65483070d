import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore

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
    @OptionGroup var signing: SigningOptions
    @OptionGroup var span: SpanOptions

    func run() async throws {
        let env = span.env
        let freeze = try await configOptions.decisions(storeOptions, signing: signing).freeze(
            environment: env, for: span.duration, reason: span.reason, actor: span.actor)
        Console.out(
            "\(env) is frozen until \(ISO8601DateFormatter().string(from: freeze.until)) (\(freeze.id), by \(Identity(freeze.declaredBy, source: freeze.declaredVia ?? .flag))): \(freeze.reason)"
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
    @OptionGroup var signing: SigningOptions
    @Option(name: .long, help: "The environment to unfreeze.") var env: String
    @Option(name: .long, help: "Who ends it (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?

    func run() async throws {
        let ended = try await configOptions.decisions(storeOptions, signing: signing).unfreeze(
            environment: env, actor: actor)
        if ended.isEmpty {
            Console.out("\(env) has no emergency freeze in force")
        } else {
            for freeze in ended {
                Console.out("ended \(freeze.id) (\(freeze.reason)), declared by \(freeze.declaredBy)")
            }
        }
    }
}

struct LockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lock",
        abstract: "Hold an environment's deploy lock by hand: no deploy starts there until it ends or is unlocked.",
        discussion: """
            Every `run deploy` takes the environment's lock for as long as it runs (renewing it as it \
            goes) and releases it at the end; a deploy that finds it held is refused, naming the holder. \
            This holds it by hand, for a while, with a reason (maintenance, an incident).

            Examples:
              shipcheck lock --env production --for 2h --reason "database maintenance"
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var span: SpanOptions

    func run() async throws {
        let env = span.env
        let lock = try await configOptions.decisions(storeOptions).lock(
            environment: env, for: span.duration, reason: span.reason, actor: span.actor)
        Console.out(
            "\(env)'s deploy lock is held until \(ISO8601DateFormatter().string(from: lock.expires)) by \(lock.description)"
        )
    }
}

struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "End an environment's deploy lock: its owner may; anyone else needs --force and a bypass role.",
        discussion: """
            Examples:
              shipcheck unlock --env production
              shipcheck unlock --env production --force --actor frank@mina.com
            """)

    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The environment.") var env: String
    @Flag(name: .long, help: "End a lock someone else holds (needs a role the environment's `bypass:` names).")
    var force = false
    @Option(name: .long, help: "Who ends it (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?

    func run() async throws {
        guard
            let ended = try await configOptions.decisions(storeOptions).unlock(
                environment: env, force: force, actor: actor)
        else {
            Console.out("\(env)'s deploy lock is not held")
            return
        }
        Console.out("ended \(env)'s deploy lock held by \(ended.owner) (\(ended.reason))")
    }
}

/// What a hold anyone may declare takes (a freeze, a lock by hand): where, how long, why, who.
struct SpanOptions: ParsableArguments {
    @Option(name: .long, help: "The environment.") var env: String
    @Option(name: .customLong("for"), help: "How long, e.g. 4h or 30m, within `max-bypass:`; it ends by itself after.")
    var duration: String
    @Option(name: .long, help: "Why, shown to whoever tries to deploy (at most 4 KB, printable).") var reason: String
    @Option(name: .long, help: "Who declares it (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?
}
