import Foundation
import ShipcheckCore

/// Placeholders in commands (`<hash>`, `YOUR_ACCOUNT_ID`, `your-bucket`, `api.example.com`) become
/// variables: the command reads `${{ vars.HASH }}`, the configuration declares `HASH` empty with a
/// TODO, and the command fails without running until it is filled in. A placeholder that names
/// nothing (`...`, `XXX`) stays, and keeps its command from running at all.
enum Placeholders {
    static func declare(in commands: [String]) -> ([String], [(name: String, placeholder: String)]) {
        var variables: [(name: String, placeholder: String)] = []
        let rewritten = commands.map { command in
            var command = command
            // Each pass replaces one placeholder; a command holds a handful at most.
            for _ in 0..<8 {
                guard let placeholder = CommandRule.placeholder(in: command), let name = variableName(placeholder)
                else { break }
                command = command.replacingBytes(placeholder, with: "${{ vars.\(name) }}")
                if !variables.contains(where: { $0.name == name }) { variables.append((name, placeholder)) }
            }
            return command
        }
        return (rewritten, variables)
    }

    /// `<previous-tag>` → `PREVIOUS_TAG`, `YOUR_ACCOUNT_ID` → `ACCOUNT_ID`, `your-bucket` → `BUCKET`,
    /// `api.example.com` → `API_HOST`, `example.com` → `HOST`; nil for `...` and `XXX`.
    static func variableName(_ placeholder: String) -> String? {
        var text = placeholder
        let lower = text.lowercased()
        if lower == "example.com" || lower == "example.org" {
            return "HOST"
        }
        if lower.hasSuffix(".example.com") {
            text = String(text.dropLast(".example.com".count)) + "_host"
        } else if text.hasPrefix("<"), text.hasSuffix(">") {
            text = String(text.dropFirst().dropLast())
        } else if lower.hasPrefix("your_") || lower.hasPrefix("your-") {
            text = String(text.dropFirst(5))
        } else {
            return nil
        }
        let name = text.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }
        let joined = String(name).split(separator: "_").joined(separator: "_")
        guard let first = joined.first, first.isLetter else { return nil }
        return joined
    }
}
