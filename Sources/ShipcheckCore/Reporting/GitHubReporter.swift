/// GitHub Actions workflow commands: an annotation per item that needs attention, placed on the
/// item's line in the configuration. Written to standard output, where the runner reads them.
public struct GitHubReporter: Reporter {
    public static let format = "github"
    public static let fileName: String? = nil

    public init() {}

    public func render(_ run: RunResult) -> String {
        var out = run.caveats.map { "::warning title=shipcheck::\(escapeData($0))\n" }.joined()
        for item in run.items {
            let level: String
            switch item.outcome {
            case .fail, .error: level = "error"
            case .pending where item.severity == .block: level = "error"
            case .warn, .pending: level = "warning"
            case .pass, .skipped, .waived: continue
            }
            var properties = ["title=\(escapeProperty("\(item.id) — \(item.title) (\(item.outcome.rawValue))"))"]
            if let location = item.location {
                properties.insert(
                    "file=\(escapeProperty(location.file)),line=\(location.line),col=\(location.column)", at: 0)
            }
            var message = item.reason ?? item.outcome.rawValue
            let evidence = Text.evidence(item, lines: 10)
            if !evidence.isEmpty, item.outcome == .fail || item.outcome == .error {
                message += "\n" + evidence.joined(separator: "\n")
            }
            out += "::\(level) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }
        return out
    }

    func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
