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
        do {
            var command = try parseAsRoot()
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
}
