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
    @Option(name: .long, help: "The environment it is signed for.") var env: String?
    @Option(name: .long, help: "What was checked.") var note: String?
    @Option(name: .long, help: "Who signs (default SHIPCHECK_ACTOR, then git's user.email).") var actor: String?

    func run() async throws {
        let (checklist, url) = try configOptions.load()
        if let env { _ = try declaredEnvironment(env, in: checklist, file: url) }
        guard let found = checklist.item(item) else {
            let hint =
                Suggestions.closest(to: item, in: checklist.items.map(\.id)).map { "; did you mean `\($0)`?" } ?? ""
            Console.error("no item `\(item)` in \(url.lastPathComponent)\(hint)")
            throw ExitCode.usageFailure
        }
        guard case .manual(let requirement) = found.body else {
            Console.error("`\(item)` is checked by machine (\(found.kindName)); only manual items are signed off")
            throw ExitCode.usageFailure
        }
        let directory = url.deletingLastPathComponent()
        let processEnvironment = ProcessInfo.processInfo.environment
        let who = await GateRunner.resolveActor(actor, directory: directory, environment: processEnvironment)
        let roles = requirement.groups.compactMap(\.role)
        if roles.count == requirement.groups.count, !checklist.holdsRole(who.name, among: roles) {
            Console.error(
                "\(who.name) may not sign off `\(item)`: it needs the role \(roles.map { "`\($0)`" }.joined(separator: " or "))"
            )
            throw ExitCode(ExitCodes.failed)
        }
        let revision = await GitInfo.revision(in: directory, environment: processEnvironment)
        let commit = revision?.commit
        if requirement.not.contains("author"), let author = revision?.author, author == who.name {
            Console.error("\(who.name) wrote this commit and may not sign off `\(item)` (`not: [author]`)")
            throw ExitCode(ExitCodes.failed)
        }
        let store = try await openStore(storeOptions, configOptions, access: .readWrite)
        let stored = try await reading(store) {
            try await store.recordSignoff(
                item: item, environment: env, commit: commit, actor: who,
                role: roles.first { checklist.holdsRole(who.name, among: [$0]) }, note: note, at: Date())
        }
        try? await store.backend.close()
        Console.out(
            "signed off `\(item)`\(env.map { " in \($0)" } ?? "")\(commit.map { " for \($0.prefix(12))" } ?? "") by \(who)\(stored.signoff.role.map { " as \($0)" } ?? "") (\(stored.id))"
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
        if let env { _ = try declaredEnvironment(env, in: checklist, file: url) }
        guard let phaseName = PhaseName(rawValue: phase), let items = checklist.phase(phaseName)?.items else {
            Console.error("no phase `\(phase)` in \(url.lastPathComponent)")
            throw ExitCode.usageFailure
        }
        let revision = await GitInfo.revision(
            in: url.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)
        let store = try await openStore(storeOptions, configOptions, access: .readOnly)
        let statuses = try await reading(store) {
            try await SignoffStatus.of(
                items, checklist: checklist, store: store, environment: env, commit: revision?.commit,
                author: revision?.author, at: Date())
        }
        let lines = statuses.map { status in
            "\(status.judgement.satisfied ? "✓" : "?") \(status.item.id) — \(status.item.title): \(status.summary)"
        }
        let missing = statuses.filter { !$0.judgement.satisfied }.count
        try? await store.backend.close()
        Console.out(lines.joined(separator: "\n") + (lines.isEmpty ? "no manual items\n" : "\n"), terminator: "")
        if missing > 0 { throw ExitCode(ExitCodes.failed) }
    }
}
