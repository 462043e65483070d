/// Where something stands in a configuration file. Lines and columns start at 1.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem found in a configuration, naming the place, the key path and what was expected.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public let location: SourceLocation?
    /// Key path such as `phases.pre-deploy.sections[0].items[3].timeout`; empty for the whole file.
    public let keyPath: String
    public let message: String

    public init(location: SourceLocation?, keyPath: String, message: String) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        let place = location.map { "\($0): " } ?? ""
        let path = keyPath.isEmpty ? "" : "at `\(keyPath)`: "
        return place + path + message
    }
}

/// Every problem a load found, in file order; thrown once, after the whole file was read.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        let count = diagnostics.count
        return diagnostics.map(\.description).joined(separator: "\n")
            + "\n\(count) problem\(count == 1 ? "" : "s") found"
    }
}

/// Collects problems during a load so that all of them are reported in one pass.
final class DiagnosticSink {
    private(set) var diagnostics: [Diagnostic] = []

    func report(_ message: String, at node: ConfigNode) {
        diagnostics.append(Diagnostic(location: node.location, keyPath: node.keyPath, message: message))
    }

    func report(_ message: String, location: SourceLocation?, keyPath: String) {
        diagnostics.append(Diagnostic(location: location, keyPath: keyPath, message: message))
    }

    var sorted: [Diagnostic] {
        diagnostics.enumerated().sorted { lhs, rhs in
            let a = lhs.element.location
            let b = rhs.element.location
            if a?.file != b?.file { return lhs.offset < rhs.offset }
            if a?.line != b?.line { return (a?.line ?? 0) < (b?.line ?? 0) }
            if a?.column != b?.column { return (a?.column ?? 0) < (b?.column ?? 0) }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
