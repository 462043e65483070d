import ArgumentParser
import ShipcheckCore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the items: phase, id, kind, what each needs, and title.",
        discussion: """
            Examples:
              shipcheck list
              shipcheck list --phase deploy
            """)

    @OptionGroup var configOptions: ConfigOptions

    @Option(name: .long, help: "Only this phase.")
    var phase: String?

    func run() throws {
        let (checklist, _) = try configOptions.load()
        if let phase, PhaseName(rawValue: phase) == nil {
            throw ValidationError("unknown phase `\(phase)`")
        }
        for item in checklist.items where phase == nil || item.phase.rawValue == phase {
            var line = "\(item.phase.rawValue)\t\(item.id)\t\(item.kindName)"
            line += "\t" + (item.needs.isEmpty ? "-" : item.needs.joined(separator: ","))
            line += "\t\(item.title)"
            Console.out(line)
        }
    }
}
