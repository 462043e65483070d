public import Foundation
public import ShipcheckCore

/// Turns a Markdown deployment checklist into a Shipcheck configuration: task items (and their
/// look-alikes) become items, headings become phases, deploy types and sections, shell blocks and
/// inline commands become checks or actions, `# Verify:` comments become expectations, the rest stays
/// manual with the reason written beside it.
public struct ChecklistImporter: Sendable {
    public static let maximumSize = 8 * 1_048_576
    /// The name written in `source:` and comments, usually the file's name.
    public let sourceName: String
    public let toolVersion: String

    public init(sourceName: String, toolVersion: String = ShipcheckVersion.current) {
        self.sourceName = sourceName
        self.toolVersion = toolVersion
    }

    public func importChecklist(data: Data) throws(ImportError) -> ImportResult {
        let text = try Self.decode(data, name: sourceName)
        let document = MarkdownLines(text)
        var walker = DocumentWalker(lines: document.lines)
        walker.walk()
        guard !walker.items.isEmpty else {
            throw ImportError(
                description:
                    "\(sourceName) has no checklist items: looked for task items (`- [ ]`, `* [x]`, `1. [ ]`), ☐ marks, sign-off blanks (`Reviewer: ____`) and fenced shell blocks"
            )
        }
        var items = walker.items
        for index in items.indices { Decisions.decide(&items[index]) }
        Decisions.assignIDs(&items)
        let targets = ServiceTargets.extract(&items)
        // A kind that probes the service reads BASE_URL: made from the commands, it needs no filling in.
        if targets.contains(where: { $0.name == BuiltInKind.baseURL.name }) {
            for index in items.indices {
                items[index].placeholderVariables.removeAll { $0.name == BuiltInKind.baseURL.name }
            }
        }
        var summary = ImportSummary()
        summary.items = items.count
        summary.lookalikes = items.filter { $0.lookalike != nil }.count
        summary.codeBlocks = walker.fenceCount
        summary.attachedBlocks = items.filter { $0.origin == .taskItem }.reduce(0) { $0 + $1.fences.count }
        summary.blockItems = items.filter { $0.origin != .taskItem }.count
        summary.expectedOutputBlocks = walker.expectedOutputBlocks
        summary.listedBlocks = walker.listedBlocks
        summary.unattachedBlocks = walker.unattachedFences
        summary.triggers = walker.triggers.count
        summary.ticked = items.filter(\.tickedInSource).map(\.line)
        for item in items {
            // A block of independent commands is one check per command: counted as the items written.
            let parts = ConfigWriter.parts(of: item).count
            summary.written += parts
            if parts > 1 { summary.splitLines.append(item.line) }
            switch item.decision {
            case .check: summary.automated += parts
            case .kind: summary.automated += 1
            case .action: summary.actions += 1
            case .manual: summary.manual += 1
            case .probe: summary.probes += 1
            }
            switch item.decision {
            case .manual(let reason), .action(let reason):
                if reason.has(ReadOnlyCommands.notKnown) { summary.notKnownReadOnly.append(item.line) }
            default: break
            }
            summary.todos += item.derived.todo.count + (item.decision == .probe ? 1 : 0)
            if case .manual = item.decision {} else { summary.expectations += item.derived.expectations.count }
        }
        for name in items.flatMap({ $0.placeholderVariables.map(\.name) })
        where !summary.placeholderVariables.contains(name) {
            summary.placeholderVariables.append(name)
        }
        summary.todos += summary.placeholderVariables.count
        let roles = Set(items.compactMap { $0.signoffs?.role })
        summary.todos += roles.count
        summary.emptyRoles = roles.sorted()
        summary.targets = targets.map { "\($0.name) (\($0.url))" }
        let writer = ConfigWriter(
            sourceName: sourceName, toolVersion: toolVersion, title: walker.documentTitle,
            items: items, triggers: walker.triggers, roles: roles.sorted(), summary: summary, targets: targets)
        return ImportResult(yaml: writer.render(), summary: summary, report: writer.reportRows())
    }

    static func decode(_ data: Data, name: String) throws(ImportError) -> String {
        guard !data.isEmpty else { throw ImportError(description: "\(name) is empty; expected a Markdown checklist") }
        guard data.count <= maximumSize else {
            throw ImportError(
                description:
                    "\(name) is \(String(format: "%.1f", Double(data.count) / 1_048_576)) MiB; a checklist may be at most \(maximumSize / 1_048_576) MiB"
            )
        }
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            guard let text = String(data: bytes, encoding: .utf16) else {
                throw ImportError(description: "\(name) starts like UTF-16 text but does not decode as UTF-16")
            }
            return text
        }
        guard !bytes.contains(0) else {
            throw ImportError(
                description: "\(name) looks like a binary file (it contains NUL bytes); expected Markdown text")
        }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw ImportError(description: "\(name) is not UTF-8 text; expected a Markdown checklist")
        }
        let controls = text.unicodeScalars.filter { $0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t" }.count
        if controls > max(8, text.unicodeScalars.count / 100) {
            throw ImportError(description: "\(name) does not look like Markdown text (\(controls) control characters)")
        }
        return text
    }
}
