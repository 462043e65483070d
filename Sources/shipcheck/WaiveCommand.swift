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
    @OptionGroup var bypass: BypassOptions

    func run() async throws {
        let (checklist, url) = try configOptions.load()
        guard checklist.item(item) != nil else {
            let hint =
                Suggestions.closest(to: item, in: checklist.items.map(\.id)).map { "; did you mean `\($0)`?" } ?? ""
            Console.error("no item `\(item)` in \(url.lastPathComponent)\(hint)")
            throw ExitCode.usageFailure
        }
        let (env, reason) = (bypass.env, bypass.reason)
        let (who, now, end) = try await bypass.authorize(in: checklist, file: url, to: "waive `\(item)` in \(env)")
        let store = try await openStore(storeOptions, configOptions, access: .readWrite)
        let stored = try await reading(store) {
            try await store.recordWaiver(item: item, environment: env, actor: who, reason: reason, at: now, until: end)
        }
        try? await store.backend.close()
        Console.out(
            "waived `\(item)` in \(env) until \(ISO8601DateFormatter().string(from: end)) by \(who) (\(stored.id)): \(reason)"
        )
    }
}

/// What a bypass in writing takes (a waiver, an override): the environment, why, until when, who.
struct BypassOptions: ParsableArguments {
    @Option(name: .long, help: "The environment.") var env: String
    @Option(name: .long, help: "Why, in writing.") var reason: String
    @Option(
        name: .long,
        help:
            "Until when: a duration (24h) or a time (YYYY-MM-DDTHH:MM, in the configuration's timezone unless it ends in Z or ±HH:MM)."
    )
    var until: String
    @Option(name: .long, help: "Who bypasses (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--reason: say why, in writing")
        }
    }

    /// Who bypasses, now, and until when, once the environment is known and the actor holds a role
    /// its `bypass:` names; otherwise exits with the reason.
    func authorize(in checklist: Checklist, file url: URL, to doWhat: String) async throws
        -> (who: Identity, now: Date, until: Date)
    {
        let environment = try declaredEnvironment(env, in: checklist, file: url)
        let now = Date()
        // `--until`: a duration from now (24h) or a time still to come.
        guard
            let end = parseDuration(until).map({ now.addingTimeInterval($0) })
                ?? DeployCalendar.parseTime(until, zone: checklist.timeZone), end > now
        else {
            Console.error(
                "--until: `\(until)` is neither a duration (24h) nor a time still to come (2026-12-09T12:00)")
            throw ExitCode.usageFailure
        }
        let who = await GateRunner.resolveActor(
            actor, directory: url.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)
        try requireBypass(who, in: environment, of: checklist, to: doWhat)
        return (who, now, end)
    }
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
    @OptionGroup var bypass: BypassOptions

    static let rules: [PolicyBlock.Rule] = [.window, .freeze, .runway]

    func validate() throws {
        guard let parsed = PolicyBlock.Rule(rawValue: rule), Self.rules.contains(parsed) else {
            let emergency =
                rule == PolicyBlock.Rule.emergency.rawValue
                ? " (an emergency freeze ends with `shipcheck unfreeze`)" : ""
            throw ValidationError(
                "`\(rule)` is not a rule that can be overridden; expected window, freeze or runway\(emergency)")
        }
    }

    func run() async throws {
        let (checklist, url) = try configOptions.load()
        let rule = PolicyBlock.Rule(rawValue: rule) ?? .window
        let (env, reason) = (bypass.env, bypass.reason)
        let (who, now, end) = try await bypass.authorize(
            in: checklist, file: url, to: "override the \(rule.rawValue) of \(env)")
        let store = try await openStore(storeOptions, configOptions, access: .readWrite)
        let stored = try await reading(store) {
            try await store.recordOverride(
                rule: rule, environment: env, actor: who, reason: reason, at: now, until: end)
        }
        try? await store.backend.close()
        Console.out(
            "overrode the \(rule.rawValue) of \(env) until \(ISO8601DateFormatter().string(from: end)) by \(who) (\(stored.id)): \(reason)"
        )
    }
}
