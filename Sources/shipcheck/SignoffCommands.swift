import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckChecks
import ShipcheckCore

struct SignoffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signoff",
        abstract: "Sign off a manual item: recorded with who, when, the commit and a note; later runs pick it up.",
        discussion: """
            A sign-off counts for runs in the same environment on the same commit. When the item \
            needs a role, only its members may sign.

            Examples:
              shipcheck signoff pr-approved --env production --note "approved in #412"
              shipcheck signoff tech-lead-review --env production --actor carol@mina.com
            """)

    @Argument(help: "The manual item.") var item: String
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var signing: SigningOptions
    @Option(name: .long, help: "The environment it is signed for.") var env: String?
    @Option(name: .long, help: "What was checked.") var note: String?
    @Option(name: .long, help: "Who signs (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?

    func run() async throws {
        let stored = try await configOptions.decisions(storeOptions, signing: signing).signoff(
            item: item, environment: env, note: note, actor: actor)
        let signoff = stored.signoff
        Console.out(
            "signed off `\(item)`\(env.map { " in \($0)" } ?? "")\(stored.commit.map { " for \($0.prefix(12))" } ?? "") by \(Identity(signoff.actor, source: signoff.via ?? .flag))\(signoff.role.map { " as \($0)" } ?? "") (\(stored.id))"
        )
    }
}

struct SignoffsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signoffs",
        abstract:
            "The manual items of a phase: the sign-offs they have for this commit, what is missing, who could give it.",
        discussion: """
            Examples:
              shipcheck signoffs --env production
              shipcheck signoffs post-deploy --env production
            """)

    @Argument(help: "The phase (default pre-deploy).") var phase: String = PhaseName.preDeploy.rawValue
    @OptionGroup var configOptions: ConfigOptions
    @OptionGroup var storeOptions: StoreOptions
    @Option(name: .long, help: "The environment.") var env: String?

    func run() async throws {
        let (checklist, url) = try configOptions.load()
        if let env, checklist.environments[env] == nil {
            throw CommandFailure("--env: `\(env)` is not an environment of \(url.lastPathComponent)", .usage)
        }
        guard let phaseName = PhaseName(rawValue: phase), let items = checklist.phase(phaseName)?.items else {
            throw CommandFailure("no phase `\(phase)` in \(url.lastPathComponent)", .usage)
        }
        let revision = await GitInfo.revision(
            in: url.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)
        let env = env
        let statuses = try await storeOptions.reader(configOptions).reading { store in
            try await SignoffStatus.of(
                items, checklist: checklist, store: store, environment: env, commit: revision?.commit,
                author: revision?.author, at: Date())
        }
        let lines = statuses.map { status in
            "\(status.judgement.satisfied ? "✓" : "?") \(status.item.id) — \(status.item.title): \(status.summary)"
        }
        let missing = statuses.filter { !$0.judgement.satisfied }.count
        Console.out(lines.joined(separator: "\n") + (lines.isEmpty ? "no manual items\n" : "\n"), terminator: "")
        if missing > 0 { throw ExitCode(ExitCodes.failed) }
    }
}
