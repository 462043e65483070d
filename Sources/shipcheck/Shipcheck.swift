import ArgumentParser
import ShipcheckApp
import ShipcheckCore

@main
struct Shipcheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shipcheck",
        abstract: "Your deployment checklist as an executable, audited gate.",
        discussion: """
            Exit codes: 0 gate passed, 1 a blocking item failed or awaits sign-off, \
            2 an item could not be evaluated, 64 usage or configuration error, 130 interrupted.
            """,
        version: ShipcheckVersion.description,
        subcommands: [
            RunCommand.self, ValidateCommand.self, ListCommand.self, SchemaCommand.self, InitCommand.self,
            ImportCommand.self, SecretsCommand.self, ReferenceCommand.self, HistoryCommand.self, ShowCommand.self,
            ExportCommand.self, AuditCommand.self, MetricsCommand.self, VerdictCommand.self, PlanCommand.self,
            FreezeCommand.self, UnfreezeCommand.self, WaiveCommand.self, OverrideCommand.self, SignoffCommand.self,
            SignoffsCommand.self, LockCommand.self, UnlockCommand.self, JudgeCommand.self, DeployCommand.self,
            RollbackCommand.self, AttestCommand.self, VerifyAttestationCommand.self, ManCommand.self,
        ])

    /// Every command's failure becomes its message and exit status here, once.
    static func main() async {
        // Asked of every installed copy by scripts and package managers: answered before the
        // parser, whose first use costs more than the rest of start-up.
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            print(ShipcheckVersion.description)
            return
        }
        do {
            var command: any ParsableCommand
            do {
                command = try parseAsRoot()
            } catch {
                // Only a failed parse looks for a typo, so that a good command line pays nothing for it.
                if let mistake = Self.mistypedArgument(Array(CommandLine.arguments.dropFirst())) {
                    Console.error(mistake)
                    exit(withError: ExitCode(64))
                }
                throw error
            }
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            for message in failure.messages { Console.error(message) }
            exit(withError: ExitCode(failure.exitCode))
        } catch {
            exit(withError: error)
        }
    }

    /// A command or long option that no command has, when one is near it: said in place of the
    /// parser's error, so that `run --frmat json` is about `--frmat`, not about a phase called
    /// `json`. Anything else is left to the parser's own message.
    static func mistypedArgument(_ arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = Shipcheck.self
        var path = ["shipcheck"]
        var rest = arguments[...]
        while let word = rest.first, !word.hasPrefix("-") {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { break }
            let names = subcommands.compactMap { $0.configuration.commandName }
            guard let next = subcommands.first(where: { $0.configuration.commandName == word }) else {
                // The root's default subcommand takes no positional word first: anything else is a typo.
                if command == Shipcheck.self || command.configuration.defaultSubcommand == nil,
                    let nearest = Suggestions.closest(to: word, in: names.filter { $0 != "man" })
                {
                    return "unknown command `\(word)` for `\(path.joined(separator: " "))`; did you mean `\(nearest)`?"
                }
                break
            }
            command = next
            path.append(word)
            rest = rest.dropFirst()
        }
        let help = Shipcheck.helpMessage(for: command, includeHidden: true, columns: 10_000)
        var known: Set<String> = ["--help", "--version", "--generate-completion-script", "--experimental-dump-help"]
        var search = help[...]
        while let range = search.range(of: #"--[A-Za-z0-9][A-Za-z0-9-]*"#, options: .regularExpression) {
            known.insert(String(search[range]))
            search = search[range.upperBound...]
        }
        for argument in rest {
            if argument == "--" { break }
            guard argument.hasPrefix("--") else { continue }
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if !known.contains(name),
                let nearest = Suggestions.closest(
                    to: name, in: known.filter { !$0.hasPrefix("--experimental") }.sorted())
            {
                return "unknown option `\(name)` for `\(path.joined(separator: " "))`; did you mean `\(nearest)`?"
            }
        }
        return nil
    }
}
