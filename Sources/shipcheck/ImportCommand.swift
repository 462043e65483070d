import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckImport

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn a Markdown deployment checklist into a Shipcheck configuration.",
        discussion: """
            Task items become items; headings give phases, deploy types and sections; shell blocks and \
            inline commands become checks (or actions in the deploy phase); blocks under no task item \
            (steps, labelled blocks, runbooks) become items of their own, in order; comments and prose \
            that say what to expect become expectations; the rest stays manual, with the reason beside \
            it. A summary goes to stderr.

            Examples:
              shipcheck import DEPLOYMENT_CHECKLIST.md > shipcheck.yml
              shipcheck import docs/RELEASE_CHECKLIST.md --out shipcheck.yml --force
              shipcheck import RUNBOOK.md --out shipcheck.yml --report
            """)

    @Argument(help: "The Markdown checklist.", completion: .file(extensions: ["md", "markdown"]))
    var file: String

    @Option(name: .long, help: "Write the configuration here instead of standard output.")
    var out: String?

    @Flag(name: .long, help: "Overwrite --out if it exists.")
    var force = false

    @Flag(name: .long, help: "Print, per item, what it became and why, its expectations and TODOs (to stderr).")
    var report = false

    func run() throws {
        let url = URL(fileURLWithPath: file)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: url.path)
        else {
            throw CommandFailure("cannot read \(file): no such file", .usage)
        }
        if let out, FileManager.default.fileExists(atPath: out), !force {
            throw CommandFailure("\(out) already exists; pass --force to overwrite it", .usage)
        }
        let result: ImportResult
        do {
            result = try ChecklistImporter(sourceName: url.lastPathComponent).importChecklist(data: data)
        } catch {
            throw CommandFailure(error.description, .usage)
        }
        if let out {
            do {
                try Data(result.yaml.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(out): \(error.localizedDescription)", .usage)
            }
        } else {
            Console.out(result.yaml, terminator: "")
        }
        Console.note("imported \(file):")
        for line in report ? result.reportLines : result.summary.lines { Console.note("  " + line) }
    }
}
