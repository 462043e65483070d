import ArgumentParser
import Foundation
import ShipcheckApp
import ShipcheckChecks
import ShipcheckCore

struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets",
        abstract: "Scan for credentials: the added lines of a git diff, or files.",
        discussion: """
            Exits 0 when nothing is found, 1 when something is, 64 on a usage error. Secrets are never \
            printed: findings show file, line, rule, a masked prefix and a fingerprint for allowlists.

            Examples:
              shipcheck secrets                       # git diff origin/main...HEAD (or main, master)
              shipcheck secrets --diff v1.2.2
              shipcheck secrets src config --format sarif > secrets.sarif
            """)

    @Argument(help: "Files or directories to scan instead of a diff.")
    var paths: [String] = []

    @Option(name: .long, help: "Compare HEAD with this ref (default: origin/main, origin/master, main or master).")
    var diff: String?

    @Option(
        name: .long,
        help:
            "Scan a unified diff from this file (`-` for standard input), e.g. `git diff | shipcheck secrets --diff-file -`."
    )
    var diffFile: String?

    @Option(name: .long, help: "Allowlist file (default .shipcheck/secrets-allowlist).")
    var allowlist: String?

    @Option(name: .long, help: "Path globs not to scan.")
    var exclude: [String] = []

    @Flag(name: .long, help: "Skip the high-entropy string test.")
    var noEntropy = false

    @Option(name: .long, help: "text, json or sarif.")
    var format = "text"

    func validate() throws {
        guard ["text", "json", "sarif"].contains(format) else {
            throw ValidationError("--format: expected text, json or sarif")
        }
        if [diff != nil, diffFile != nil, !paths.isEmpty].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --diff, --diff-file or paths")
        }
    }

    func run() async throws {
        let source: SecretSearch.Source =
            diffFile.map { .diffFile($0) } ?? (paths.isEmpty ? .diff(base: diff) : .paths(paths))
        let search = SecretSearch(
            source: source, allowlist: allowlist,
            exclude: exclude, entropy: !noEntropy)
        let outcome: SecretSearch.Outcome
        do {
            outcome = try await search.run(
                in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                environment: ProcessInfo.processInfo.environment)
        } catch {
            throw CommandFailure(error.message, .usage)
        }
        switch format {
        case "sarif":
            Console.out(SecretsSARIF.render(outcome.findings, toolVersion: ShipcheckVersion.current), terminator: "")
        case "json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            Console.out(String(decoding: try encoder.encode(outcome.findings), as: UTF8.self))
        default:
            for finding in outcome.findings { Console.out("\(finding.description)  [\(finding.fingerprint)]") }
        }
        Console.note(
            "\(outcome.findings.count) finding(s) in \(outcome.scope): \(outcome.files) file(s), \(outcome.bytes) bytes"
                + (outcome.allowed > 0 ? ", \(outcome.allowed) allowed" : ""))
        if !outcome.findings.isEmpty { throw ExitCode(ExitCodes.failed) }
    }
}
