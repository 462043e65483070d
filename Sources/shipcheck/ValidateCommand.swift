import ArgumentParser
import ShipcheckCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the configuration and print every problem, with file, line, column and key path.",
        discussion: """
            Exits 0 with a one-line summary when the configuration is valid, 64 otherwise.

            Examples:
              shipcheck validate
              shipcheck validate --config examples/mina/shipcheck.yml
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Flag(name: .long, help: "Treat warnings (a role with nobody in it) as problems: exit 64.")
    var strict = false

    func run() throws {
        let (checklist, _) = try configOptions.load()
        for warning in checklist.warnings { Console.note("warning: \(warning)") }
        if strict, !checklist.warnings.isEmpty {
            let count = checklist.warnings.count
            Console.note("\(count) warning\(count == 1 ? "" : "s") found; --strict refuses them")
            throw ExitCode.usageFailure
        }
        let items = checklist.items
        let manual = items.filter(\.isManual).count
        let phases = checklist.phases.map { "\($0.name.rawValue) \($0.items.count)" }.joined(separator: ", ")
        Console.out(
            "ok: \(checklist.file): \(checklist.phases.count) phase\(checklist.phases.count == 1 ? "" : "s") (\(phases)), "
                + "\(items.count) items (\(items.count - manual) automated, \(manual) manual)")
    }
}
