import ArgumentParser
import Foundation
import ShipcheckCore

/// `shipcheck man`: the manual page (roff), made from the commands' own help, for packages.
struct ManCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "man", abstract: "Print the manual page (man(7) roff), for packaging.", shouldDisplay: false)

    func run() throws {
        Console.out(Self.page(), terminator: "")
    }

    /// Text as roff reads it: backslashes and leading dots or quotes escaped.
    static func escaped(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = line.replacingOccurrences(of: "\\", with: "\\e")
            if line.hasPrefix(".") || line.hasPrefix("'") { line = "\\&" + line }
            return line
        }.joined(separator: "\n")
    }

    static func page() -> String {
        let root = Shipcheck.configuration
        var out = ".TH SHIPCHECK 1 \"\" \"shipcheck \(ShipcheckVersion.current)\" \"User Commands\"\n"
        out += ".SH NAME\nshipcheck \\- \(escaped(root.abstract))\n"
        out += ".SH SYNOPSIS\n.B shipcheck\n.I command\n[\n.I options\n]\n"
        out += ".SH DESCRIPTION\n\(escaped(root.discussion))\n"
        out += ".SH COMMANDS\n"
        for command in root.subcommands where command.configuration.shouldDisplay {
            let name = command.configuration.commandName ?? "\(command)"
            out += ".SS \(escaped(name))\n\(escaped(command.configuration.abstract))\n"
            out += ".PP\n.nf\n\(escaped(Shipcheck.helpMessage(for: command, columns: 100)))\n.fi\n"
        }
        out +=
            ".SH EXIT STATUS\n0 gate passed; 1 a blocking item failed or awaits sign-off; 2 an item could not be evaluated; "
        out += "64 usage or configuration error; 130 interrupted.\n"
        out += ".SH SEE ALSO\nThe documentation in the source repository: README.md and docs/.\n"
        return out
    }
}
