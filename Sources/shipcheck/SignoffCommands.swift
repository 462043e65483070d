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
        if let role = requirement.role, !checklist.holdsRole(who, among: [role]) {
            Console.error("\(who) may not sign off `\(item)`: it needs the role `\(role)`")
            throw ExitCode(ExitCodes.failed)
        }
        let commit = await GitInfo.revision(in: directory, environment: processEnvironment)?.commit
        let store = try await openStore(storeOptions, configOptions)
        let stored = try await reading(store) {
            try await store.recordSignoff(
                item: item, environment: env, commit: commit, actor: who, note: note, at: Date())
        }
        try? await store.backend.close()
        Console.out(
            "signed off `\(item)`\(env.map { " in \($0)" } ?? "")\(commit.map { " for \($0.prefix(12))" } ?? "") by \(who) (\(stored.id))"
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
        let commit = await GitInfo.revision(
            in: url.deletingLastPathComponent(), environment: ProcessInfo.processInfo.environment)?.commit
        let store = try await openStore(storeOptions, configOptions)
        var lines: [String] = []
        var missing = 0
        for item in items {
            guard case .manual(let requirement) = item.body else { continue }
            let given = try await reading(store) {
                try await store.signoffs(item: item.id, environment: env, commit: commit).map(\.signoff)
            }
            let counted = given.filter { signoff in
                requirement.role.map { checklist.holdsRole(signoff.actor, among: [$0]) } ?? true
            }
            let signers = requirement.distinct ? Array(Set(counted.map(\.actor))).sorted() : counted.map(\.actor)
            let have = min(signers.count, requirement.count)
            var line =
                "\(have >= requirement.count ? "✓" : "?") \(item.id) — \(item.title): \(have)/\(requirement.count)"
            if !signers.isEmpty { line += " (\(signers.joined(separator: ", ")))" }
            if have < requirement.count {
                missing += 1
                if let role = requirement.role {
                    let could = (checklist.roles[role] ?? []).filter { !signers.contains($0) }
                    line += "; needs \(requirement.count - have) more from \(role): \(could.joined(separator: ", "))"
                } else {
                    line += "; needs \(requirement.count - have) more from anyone"
                }
            }
            lines.append(line)
        }
        try? await store.backend.close()
        Console.out(lines.joined(separator: "\n") + (lines.isEmpty ? "no manual items\n" : "\n"), terminator: "")
        if missing > 0 { throw ExitCode(ExitCodes.failed) }
    }
}
