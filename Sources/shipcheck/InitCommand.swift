import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starter shipcheck.yml.",
        discussion: """
            Examples:
              shipcheck init
              shipcheck init --project payments --path ci/shipcheck.yml
            """)

    @Option(name: .long, help: "Where to write it.")
    var path = "shipcheck.yml"

    @Option(name: .long, help: "The project name (default: this directory's name).")
    var project: String?

    @Flag(name: .long, help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        let url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: url.path), !force {
            throw CommandFailure("\(path) already exists; pass --force to overwrite it", .usage)
        }
        let name = project ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath).lastPathComponent
        do {
            try Data(StarterConfig.text(project: name).utf8).write(to: url, options: .atomic)
        } catch {
            throw CommandFailure("cannot write \(path): \(error.localizedDescription)", .usage)
        }
        Console.out("wrote \(path); next: `shipcheck validate`, then `shipcheck run`")
    }
}
