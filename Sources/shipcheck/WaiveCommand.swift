import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore

struct WaiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waive",
        abstract: "Bypass an item in an environment, in writing: who, why, until when.",
        discussion: """
            Only a member of a role the environment's `bypass:` names may waive (the seed: the CTO). \
            The waiver is recorded in the run store and its audit chain; until it expires, runs in that \
            environment report the item as waived (never as passed) and do not run it.

            Examples:
              shipcheck waive load-testing --env production --until 24h --reason "k6 cluster down; load tested yesterday" --actor frank@mina.com
              shipcheck waive lighthouse --env production --until 2026-12-09T12:00 --reason "CDN migration"
            """)

    @Argument(help: "The item to waive.") var item: String
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var bypass: BypassOptions

    func run() async throws {
        let decisions = try configOptions.decisions(storeOptions, signing: signing)
        let stored = try await decisions.waive(
            item: item, environment: bypass.env, until: bypass.until, reason: bypass.reason, actor: bypass.actor)
        let waiver = stored.waiver
        Console.out(
            "waived `\(item)` in \(bypass.env) until \(ISO8601DateFormatter().string(from: waiver.expires ?? decisions.now)) by \(Identity(waiver.actor, source: waiver.via ?? .flag)) (\(stored.id)): \(waiver.reason)"
        )
    }
}

/// What a bypass in writing takes (a waiver, an override): the environment, why, until when, who.
struct BypassOptions: ParsableArguments {
    @Option(name: .long, help: "The environment.") var env: String
    @Option(name: .long, help: "Why, in writing (at most 4 KB, printable).") var reason: String
    @Option(
        name: .long,
        help:
            "Until when: a duration (24h) or a time (YYYY-MM-DDTHH:MM, in the configuration's timezone unless it ends in Z or ±HH:MM), within `max-bypass:` (default 366d)."
    )
    var until: String
    @Option(name: .long, help: "Who bypasses (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?
}

struct OverrideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override",
        abstract:
            "Let deploys to an environment start despite the window, a configured freeze or the runway, in writing.",
        discussion: """
            The same rule as a waiver: only a member of a role the environment's `bypass:` names may, and \
            the override is recorded (who, why, until when) in the run store and its audit chain. Until it \
            ends, `plan` and `run deploy` show the rule as overridden instead of refusing. An emergency \
            freeze is not overridden: `shipcheck unfreeze` ends it.

            Examples:
              shipcheck override window --env production --until 2h --reason "security patch for CVE-2026-1234" --actor frank@mina.com
              shipcheck override freeze --env production --until 2026-12-23T18:00 --reason "payment outage fix"
            """)

    @Argument(help: "The rule: window, freeze or runway.") var rule: String
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var signing: SigningOptions
    @OptionGroup var bypass: BypassOptions

    func run() async throws {
        let decisions = try configOptions.decisions(storeOptions, signing: signing)
        guard let parsed = PolicyBlock.Rule(rawValue: rule) else {
            throw CommandFailure(
                "`\(rule)` is not a rule that can be overridden; expected \(Decisions.overridable.map(\.rawValue).joined(separator: ", "))",
                .usage)
        }
        let stored = try await decisions.override(
            rule: parsed, environment: bypass.env, until: bypass.until, reason: bypass.reason, actor: bypass.actor)
        let waiver = stored.waiver
        Console.out(
            "overrode the \(parsed.rawValue) of \(bypass.env) until \(ISO8601DateFormatter().string(from: waiver.expires ?? decisions.now)) by \(Identity(waiver.actor, source: waiver.via ?? .flag)) (\(stored.id)): \(waiver.reason)"
        )
    }
}
