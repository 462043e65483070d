import Foundation
import ShipcheckCore

/// Walks the lines once, keeping the heading path and the open items, and hands each line to
/// the item it belongs to.
struct DocumentWalker {
    let lines: [MarkdownLines.Line]
    var items: [FoundItem] = []
    var triggers: [ImportedTrigger] = []
    var fenceCount = 0
    var unattachedFences: [Int] = []
    var documentTitle: String?

    private var headings: [(level: Int, text: String)] = []
    private var open: [Int] = []
    /// The item whose content was the last non-blank line, for blocks "directly following" it.
    private var lastContentItem: Int?
    private var sawBlank = false
    private var inTriggerList = false
    /// Phase, type and section under the current headings; worked out once per heading.
    private var context = PhaseContext(headings: [])

    init(lines: [MarkdownLines.Line]) {
        self.lines = lines
    }

    mutating func walk() {
        for line in lines {
            switch line.kind {
            case .blank:
                sawBlank = true
                continue
            case .heading(let level, let text):
                if level == 1, documentTitle == nil { documentTitle = Self.plain(text) }
                while let last = headings.last, last.level >= level { headings.removeLast() }
                headings.append((level, Self.plain(text)))
                context = PhaseContext(headings: headings.map(\.text))
                open = []
                lastContentItem = nil
                inTriggerList = Self.isTriggerHeading(text)
            case .task(let indent, let checked, let text):
                addItem(line: line.number, text: text, indent: indent, lookalike: nil, ticked: checked)
            case .lookalike(let indent, let text, let reason):
                addItem(line: line.number, text: text, indent: indent, lookalike: reason)
            case .bullet(let indent, let text):
                close(atOrBeyond: indent)
                if let owner = open.last {
                    let depth = max(0, (indent - items[owner].indent) / 2 - 1)
                    items[owner].description.append(String(repeating: "  ", count: depth) + "- " + text)
                    lastContentItem = owner
                } else if inTriggerList {
                    if let trigger = ImportedTrigger(bullet: text, line: line.number) { triggers.append(trigger) }
                    lastContentItem = nil
                } else {
                    lastContentItem = nil
                }
            case .text(let indent, let text):
                if let owner = open.last, indent > items[owner].indent || (!sawBlank && lastContentItem == owner) {
                    items[owner].description.append(text)
                    lastContentItem = owner
                } else {
                    open = []
                    lastContentItem = nil
                    if Self.isTriggerLead(text) { inTriggerList = true }
                }
            case .fence(let fence):
                fenceCount += 1
                if let owner = owner(of: fence) {
                    items[owner].fences.append(fence)
                    lastContentItem = owner
                } else {
                    unattachedFences.append(fence.startLine)
                    lastContentItem = nil
                }
            }
            sawBlank = false
        }
    }

    /// The item a fenced block belongs to: the deepest open item it is indented under, or the
    /// item it directly follows.
    private func owner(of fence: MarkdownLines.Fence) -> Int? {
        if let under = open.last(where: { items[$0].indent < fence.indent }) { return under }
        if let last = lastContentItem, open.contains(last) { return last }
        return nil
    }

    private mutating func close(atOrBeyond indent: Int) {
        while let last = open.last, items[last].indent >= indent { open.removeLast() }
    }

    private mutating func addItem(
        line: Int, text: String, indent: Int, lookalike: MarkdownLines.LookalikeReason?, ticked: Bool = false
    ) {
        close(atOrBeyond: indent)
        var item = FoundItem(
            line: line, title: Self.title(text), rawText: text, indent: indent, lookalike: lookalike,
            phase: context.phase, deployType: context.deployType, section: context.section)
        item.tickedInSource = ticked
        if let parent = open.last {
            item.parent = parent
            items[parent].children.append(items.count)
        }
        items.append(item)
        open.append(items.count - 1)
        lastContentItem = items.count - 1
    }

    /// Item text without Markdown emphasis and link targets: `**API docs updated** (if API changes)`.
    static func title(_ text: String) -> String {
        var title = plain(text)
        for mark in ["☐", "☑", "✅", "❌"] where title.has(mark) {
            title = title.replacingOccurrences(of: mark, with: "")
        }
        // Sign-off blanks and table rows: "Reviewer: ____" → "Reviewer", "| Logs clean | |" → "Logs clean".
        if title.contains("___") {
            title = title.split(separator: "_", omittingEmptySubsequences: true).joined(separator: " ")
        }
        if title.hasPrefix("|") {
            title = title.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                .joined(separator: " — ")
        }
        if title.contains("  ") { title = title.split(separator: " ").joined(separator: " ") }
        title = title.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: ":")))
        if title.count > 200 { title = String(title.prefix(199)) + "…" }
        return title.isEmpty ? "Untitled item" : title
    }

    static func plain(_ text: String) -> String {
        var out = text.has("**") ? text.replacingOccurrences(of: "**", with: "") : text
        // [label](target) → label
        while out.has("]("), let open = out.range(of: "]("), let close = out[open.upperBound...].firstIndex(of: ")"),
            let start = out[..<open.lowerBound].lastIndex(of: "[")
        {
            let label = out[out.index(after: start)..<open.lowerBound]
            out.replaceSubrange(start...close, with: label)
        }
        return out.trimmedSpaces
    }

    static func isTriggerHeading(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("when to roll") || lower.contains("rollback trigger")
            || lower.contains("rollback criteria")
            || lower.contains("when to revert")
    }

    static func isTriggerLead(_ text: String) -> Bool {
        let lower = text.lowercased()
        return (lower.contains("rollback") || lower.contains("roll back") || lower.contains("revert"))
            && lower.hasSuffix("if:")
    }
}

/// Which phase, deploy type and section the headings above an item give it.
struct PhaseContext {
    var phase = PhaseName.preDeploy
    var deployType: String?
    var section = "Checklist"

    init(headings: [String]) {
        var phaseDepth: Int?
        var strongSet = false
        for (depth, heading) in headings.enumerated() {
            let lower = heading.lowercased()
            if let type = Self.deployType(lower) {
                deployType = type
                phase = type == "emergency-rollback" ? .rollback : .preDeploy
                phaseDepth = depth
                strongSet = true
            } else if let strong = Self.strongPhase(lower) {
                phase = strong
                phaseDepth = depth
                strongSet = true
            } else if !strongSet, phaseDepth == nil, let weak = Self.weakPhase(lower) {
                phase = weak
                phaseDepth = depth
            }
        }
        let below = headings.enumerated().filter { index, _ in index > (phaseDepth ?? -1) }.map(\.element)
        // The document's own title says nothing about the section.
        let meaningful = phaseDepth == nil && headings.count > 1 ? Array(below.dropFirst()) : below
        if !meaningful.isEmpty {
            section = meaningful.joined(separator: " › ")
        } else if let phaseDepth {
            section = headings[phaseDepth]
        } else if let last = headings.last {
            section = last
        }
    }

    static func deployType(_ lower: String) -> String? {
        if lower.has("hotfix") || lower.has("hot fix") { return "hotfix" }
        if lower.has("emergency"), lower.hasAny(["rollback", "roll back", "deploy", "release", "procedure", "fix"]) {
            return "emergency-rollback"
        }
        return nil
    }

    static func strongPhase(_ lower: String) -> PhaseName? {
        if lower.hasAny([
            "post-deploy", "post deploy", "postdeploy", "after deploy", "post-release", "post release", "after release",
            "post-launch", "after launch",
        ]) {
            return .postDeploy
        }
        if lower.hasAny([
            "pre-deploy", "pre deploy", "predeploy", "before deploy", "pre-release", "pre release", "before release",
            "pre-launch", "pre-flight", "preflight", "prerequisite", "preparation",
        ]) {
            return .preDeploy
        }
        if lower.hasAny(["rollback", "roll back", "roll-back", "revert", "disaster recovery"]),
            !lower.has("plan")
        {
            return .rollback
        }
        return nil
    }

    static func weakPhase(_ lower: String) -> PhaseName? {
        if lower.hasAny([
            "deployment execution", "deployment steps", "deploy steps", "deployment process", "deployment procedure",
            "during deploy", "execution", "release steps", "release process", "step-by-step deploy", "go-live",
            "go live",
            "cutover",
        ]) {
            return .deploy
        }
        if lower.hasAny(["verification", "validation", "smoke test", "monitoring after", "sign-off"]) {
            return .postDeploy
        }
        return nil
    }
}

/// A "when to roll back" bullet: `**P1**: Error rate >5%`.
struct ImportedTrigger {
    let title: String
    let priority: String?
    let condition: String?
    let line: Int

    init?(bullet: String, line: Int) {
        var text = DocumentWalker.plain(bullet)
        var priority: String?
        if let colon = text.firstIndex(of: ":") {
            let label = text[..<colon].trimmingCharacters(in: .whitespaces)
            if label.range(of: #"^P[0-9]$"#, options: .regularExpression) != nil {
                priority = label
                text = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        guard !text.isEmpty else { return nil }
        self.title = text
        self.priority = priority
        self.line = line
        let lower = text.lowercased()
        if let (fact, op, value) = ExpectationPatterns.thresholdExpectation(text) {
            condition = "\(fact) \(op) \(value)"
        } else if lower.hasAny(["outage", "service down", "unavailable", "unreachable"]) {
            condition = "health.up == false"
        } else {
            condition = nil
        }
    }
}
