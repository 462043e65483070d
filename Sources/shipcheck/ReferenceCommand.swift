import ArgumentParser
import ShipcheckChecks
import ShipcheckCore

struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Print the configuration reference (Markdown), generated from the kinds' descriptions.")

    func run() throws {
        Console.out(ConfigReference.markdown(kinds: CheckKinds.all), terminator: "")
    }
}
