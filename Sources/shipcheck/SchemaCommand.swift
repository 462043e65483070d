import ArgumentParser
import ShipcheckChecks
import ShipcheckCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of shipcheck.yml, for editors' YAML language servers.",
        discussion: """
            Example, for the YAML language server:
              shipcheck schema > .shipcheck/schema.json
              # then, first line of shipcheck.yml:
              # yaml-language-server: $schema=.shipcheck/schema.json
            """)

    func run() throws {
        Console.out(ConfigSchema.json(kinds: CheckKinds.all), terminator: "")
    }
}
