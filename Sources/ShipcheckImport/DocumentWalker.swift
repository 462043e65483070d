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
    var listedBlocks: [ListedBlock] = []
    var expectedOutputBlocks = 0
    var documentTitle: String?

    private var headings: [(level: Int, text: String)] = []
    private var open: [Int] = []
    /// The item whose content was the last non-blank line, for blocks "directly following" it.
    private var lastContentItem: Int?
    private var sawBlank = false
    private var inTriggerList = false
    /// Phase, type and section under the current headings; worked out once per heading.
    private var context = PhaseContext(headings: [])

    // What a block under no task item is titled from and belongs to.
    /// A line such as "**Verify:**" or "Validation script:" that was the last line before a block.
    private var label: (text: String, line: Int)?
    /// The numbered step ("3. Restart the workers") a block sits under.
    private var step: (text: String, indent: Int, line: Int)?
    private var lastNonBlankLine = 0
    /// The last plain text line and its number: a role named above a "Signature: ____" blank.
    private var lastText: (text: String, line: Int)?
    /// Task items in the current list, counted until something else interrupts it.
    private var listRun = 0
    /// The last item of the current section, for "Expected output:" and verification blocks.
    private var lastItemInSection: Int?
    /// A block item made before the section's first task item: the section's check.
    private var sectionCheck: Int?
    private var titlesInSection: [String: Int] = [:]
    /// The last step item of each chain (a section, or the siblings of "Step N" headings).
    private var chainTails: [String: Int] = [:]

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
                label = nil
                step = nil
                listRun = 0
                lastItemInSection = nil
                sectionCheck = nil
                titlesInSection = [:]
            case .task(let indent, let checked, let text):
                addItem(line: line.number, text: text, indent: indent, lookalike: nil, ticked: checked)
            case .lookalike(let indent, let text, let reason):
                addItem(line: line.number, text: text, indent: indent, lookalike: reason)
                if let above = lastText, above.line == lastNonBlankLine, !above.text.has("___"),
                    above.text.split(separator: " ").count <= 6
                {
                    items[items.count - 1].roleHint = above.text
                }
            case .bullet(let indent, let text, let ordered):
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
                    listRun = 0
                    if ordered { step = (Self.plain(text), indent, line.number) }
                    noteProse(text)
                }
                label = Self.isLabel(text) ? (Self.labelText(text), line.number) : nil
            case .text(let indent, let text):
                defer { lastText = (Self.plain(text), line.number) }
                if let owner = open.last, indent > items[owner].indent || (!sawBlank && lastContentItem == owner) {
                    items[owner].description.append(text)
                    lastContentItem = owner
                    if Self.expectationSentence(text) != nil { items[owner].expectationProse.append(text) }
                } else {
                    open = []
                    lastContentItem = nil
                    listRun = 0
                    if Self.isTriggerLead(text) { inTriggerList = true }
                    noteProse(text)
                }
                label = Self.isLabel(text) ? (Self.labelText(text), line.number) : nil
            case .fence(let fence):
                fenceCount += 1
                place(fence)
                label = nil
            }
            lastNonBlankLine = line.number
            sawBlank = false
        }
    }

    /// "Expected: `healthy`" or "It should return 200" under a block: what the last item expects.
    private mutating func noteProse(_ text: String) {
        guard let last = lastItemInSection, Self.expectationSentence(text) != nil else { return }
        items[last].expectationProse.append(text)
    }

    /// Puts a fenced block where it belongs: under its task item, as the expected output or the
    /// verification of the item before it, as an item of its own, or in the list of blocks that
    /// are not commands.
    private mutating func place(_ fence: MarkdownLines.Fence) {
        let directLabel = label.flatMap { $0.line == lastNonBlankLine ? $0.text : nil }
        let wantsOutput = directLabel.map(Self.isExpectedOutputLabel) ?? false
        if let owner = owner(of: fence), !closesWholeList(fence, owner: owner) {
            if wantsOutput {
                items[owner].expectedOutputs.append(fence.body)
                expectedOutputBlocks += 1
            } else {
                items[owner].fences.append(fence)
            }
            lastContentItem = owner
            return
        }
        if wantsOutput, let last = lastItemInSection {
            items[last].expectedOutputs.append(fence.body)
            expectedOutputBlocks += 1
            return
        }
        let language = fence.info.split(separator: " ").first.map { String($0).lowercased() } ?? ""
        guard Decisions.shellLanguages.contains(language) else {
            listedBlocks.append(ListedBlock(line: fence.startLine, reason: "a \(language) block, not a shell command"))
            return
        }
        guard !CommandAnalysis.read(fence.body).commands.isEmpty else {
            listedBlocks.append(ListedBlock(line: fence.startLine, reason: "no command in it (comments or output)"))
            return
        }
        // "**Verify:**" under a task item that has nothing to run: the block is how to check it.
        if let directLabel, Self.isVerifyLabel(directLabel), let last = lastItemInSection,
            items[last].origin == .taskItem, items[last].fences.isEmpty
        {
            items[last].fences.append(fence)
            return
        }
        addBlockItem(fence, label: directLabel)
    }

    /// A block at the level of a list of several task items, after a blank line, belongs to the
    /// section, not to the list's last item.
    private func closesWholeList(_ fence: MarkdownLines.Fence, owner: Int) -> Bool {
        sawBlank && listRun >= 2 && fence.indent <= items[owner].indent && owner == lastContentItem
            && !open.contains(where: { items[$0].indent < fence.indent })
    }

    private mutating func addBlockItem(_ fence: MarkdownLines.Fence, label: String?) {
        var title: String
        var titledFrom: String
        var isStep = false
        if let step, fence.indent > step.indent || step.line == lastNonBlankLine {
            title = Self.title(step.text)
            titledFrom = "step"
            isStep = true
            if let label, label != step.text { title += " — " + label }
        } else if let label {
            title = label.split(separator: " ").count >= 2 ? label : (context.sectionTitle + ": " + label)
            titledFrom = "label"
        } else if listRun >= 2 {
            title = context.sectionTitle + " (after the list)"
            titledFrom = "section list"
        } else {
            title = headings.last?.text ?? documentTitle ?? "Commands"
            titledFrom = "heading"
            isStep = Self.isStepHeading(title)
        }
        title = Self.title(title)
        let count = titlesInSection[title, default: 0] + 1
        titlesInSection[title] = count
        if count > 1 { title += " (\(count))" }
        var item = FoundItem(
            line: fence.startLine, title: title, rawText: title, indent: fence.indent, lookalike: nil,
            phase: context.phase, deployType: context.deployType, section: context.section)
        item.origin = .block(titledFrom: titledFrom)
        item.fences = [fence]
        let chain = chainKey(isStep: isStep)
        if let chain, let tail = chainTails[chain], items[tail].phase == item.phase { item.after = [tail] }
        items.append(item)
        let index = items.count - 1
        if let chain { chainTails[chain] = index }
        if titledFrom == "section list" {
            for member in items.indices.suffix(listRun + 1).dropLast() where items[member].origin == .taskItem {
                items[member].verifiedBy = index
            }
        } else if titledFrom == "label" || titledFrom == "heading" && !isStep,
            !items[..<index].contains(where: { $0.section == item.section && $0.origin == .taskItem }),
            sectionCheck == nil
        {
            sectionCheck = index
        }
        lastItemInSection = index
        lastContentItem = nil
        open = []
    }

    /// Steps run in order: blocks under numbered steps or "Step N" headings, and every block of a
    /// document with no task items (a runbook), after the one before in the same chain.
    private func chainKey(isStep: Bool) -> String? {
        let path = headings.map(\.text)
        if let last = path.last, Self.isStepHeading(last) {
            return path.dropLast().joined(separator: " › ") + " › steps"
        }
        let procedural = !items.contains { $0.origin == .taskItem }
        return isStep || procedural ? path.joined(separator: " › ") : nil
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
        if let sectionCheck { item.verifiedBy = sectionCheck }
        items.append(item)
        open.append(items.count - 1)
        lastContentItem = items.count - 1
        lastItemInSection = items.count - 1
        listRun += 1
        label = nil
    }

    /// Item text without Markdown emphasis and link targets: `**API docs updated** (if API changes)`.
    static func title(_ text: String) -> String {
        var title = plain(text)
        for mark in ["☐", "☑", "✅", "❌"] where title.has(mark) {
            title = title.replacingBytes(mark, with: "")
        }
        // Blanks and table rows: "Security Team: ____ Date: ____" → "Security Team", "Throughput: ___ tx/sec"
        // → "Throughput (tx/sec)", "| Logs clean | |" → "Logs clean".
        if let blank = title.range(of: "___") {
            let before = title[..<blank.lowerBound].trimmingWhitespace(and: ":*")
            let lastBlank = title.range(of: "_", options: .backwards)?.upperBound ?? blank.upperBound
            let after = title[lastBlank...].trimmedWhitespace
            if before.isEmpty {
                title = title.split(separator: "_", omittingEmptySubsequences: true).joined(separator: " ")
            } else {
                title = after.isEmpty || after.has(":") ? before : "\(before) (\(after))"
            }
        }
        if title.hasPrefix("|") {
            title = title.split(separator: "|").map { $0.trimmedWhitespace }.filter { !$0.isEmpty }
                .joined(separator: " — ")
        }
        if title.has("  ") { title = title.split(separator: " ").joined(separator: " ") }
        title = title.trimmingWhitespace(and: ":")
        if title.count > 200 { title = String(title.prefix(199)) + "…" }
        return title.isEmpty ? "Untitled item" : title
    }

    static func plain(_ text: String) -> String {
        var out = text.replacingBytes("**", with: "")
        // [label](target) → label
        while out.has("]("), let open = out.range(of: "]("), let close = out[open.upperBound...].firstIndex(of: ")"),
            let start = out[..<open.lowerBound].lastIndex(of: "[")
        {
            let label = out[out.index(after: start)..<open.lowerBound]
            out.replaceSubrange(start...close, with: label)
        }
        return out.trimmedSpaces
    }

    /// "**Verify:**", "Validation script:", "**Fix Steps**": a short line naming the block after it.
    static func isLabel(_ text: String) -> Bool {
        let plain = plain(text)
        guard !plain.isEmpty, plain.count <= 100 else { return false }
        return plain.hasSuffix(":") || (text.hasPrefix("**") && (text.hasSuffix("**") || text.hasSuffix("**:")))
    }

    static func labelText(_ text: String) -> String {
        title(plain(text).trimmingWhitespace(and: ":"))
    }

    static func isExpectedOutputLabel(_ label: String) -> Bool {
        let lower = label.lowercased()
        return lower.hasAny(["expected output", "expected result", "example output", "sample output", "should print"])
            || lower == "output" || lower == "expected" || lower == "result"
    }

    static func isVerifyLabel(_ label: String) -> Bool {
        let lower = label.lowercased()
        return lower.hasPrefix("verify") || lower.hasPrefix("verification") || lower.hasPrefix("check")
            || lower.hasPrefix("validate") || lower.hasPrefix("validation") || lower.hasPrefix("test")
    }

    /// "Step 3: Verify the database", "3. Restart", "Phase 2 — Cut over", "步骤1".
    static func isStepHeading(_ text: String) -> Bool {
        let lower = text.lowercased()
        for word in ["step", "phase", "stage", "步骤", "schritt", "étape", "paso"] where lower.hasPrefix(word) {
            let rest = lower.dropFirst(word.count).drop { $0 == " " }
            if rest.first?.isNumber == true { return true }
        }
        return lower.first?.isNumber == true && lower.drop { $0.isNumber }.first.map { ".):".contains($0) } == true
    }

    /// A sentence saying what to expect: "Expected: `healthy`", "should return 200", "no output".
    static func expectationSentence(_ text: String) -> String? {
        let lower = plain(text).lowercased()
        guard
            lower.hasPrefix("expected") || lower.hasPrefix("expect ") || lower.has("should return")
                || lower.has("should show") || lower.has("should print") || lower.has("should output")
                || lower.has("should be empty") || lower.has("should report")
                || lower.hasPrefix("output should") || lower.hasPrefix("result should")
                || lower.has("returns 200") || lower.has("no output")
        else { return nil }
        return text
    }

    static func isTriggerHeading(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.has("when to roll") || lower.has("rollback trigger")
            || lower.has("rollback criteria")
            || lower.has("when to revert")
    }

    static func isTriggerLead(_ text: String) -> Bool {
        let lower = text.lowercased()
        return (lower.has("rollback") || lower.has("roll back") || lower.has("revert"))
            && lower.hasSuffix("if:")
    }
}

/// Which phase, deploy type and section the headings above an item give it.
struct PhaseContext {
    var phase = PhaseName.preDeploy
    var deployType: String?
    var section = "Checklist"
    /// The last part of the section, for titles: "Deploy › Database" → "Database".
    var sectionTitle: String {
        section.components(separatedBy: " › ").last ?? section
    }

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
    /// A metric name the importer chose because the text gives none exactly: a TODO to confirm.
    var metricToConfirm: String?

    static let secondSide = NSRegularExpression.builtIn(
        #"\b(?:or|and|,)\s*(<=|>=|<|>|≤|≥)\s*(\d+(?:\.\d+)?)\s*(%|ms|s|m|h)?"#, options: [.caseInsensitive])

    init?(bullet: String, line: Int) {
        var text = DocumentWalker.plain(bullet)
        var priority: String?
        if let colon = text.firstIndex(of: ":") {
            let label = text[..<colon].trimmedSpaces
            // `P0` to `P9`, by hand: a regular expression per bullet showed in the import's time.
            if label.utf8.count == 2, label.utf8.first == UInt8(ascii: "P"),
                let digit = label.utf8.last, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9")
            {
                priority = label
                text = text[text.index(after: colon)...].trimmedWhitespace
            }
        }
        guard !text.isEmpty else { return nil }
        self.title = text
        self.priority = priority
        self.line = line
        let lower = text.lowercased()
        if let (fact, op, value) = ExpectationPatterns.thresholdExpectation(text) {
            var both = "\(fact) \(op) \(value)"
            // "> 98% or < 85%": both sides, on the same metric.
            if let groups = ExpectationPatterns.firstMatch(Self.secondSide, text) {
                let other = groups[1] == "≤" ? "<=" : groups[1] == "≥" ? ">=" : groups[1]
                both += " or \(fact) \(other) \(groups[2])\(groups[3])"
            }
            condition = both
            // A metric the text names only loosely ("degradation") is the importer's guess: say so.
            if !ExpectationPatterns.snake(text).contains(fact.replacingBytes(".", with: "_")) {
                metricToConfirm = fact
            }
        } else if lower.hasAny(["outage", "service down", "unavailable", "unreachable"]) {
            condition = "health.up == false"
        } else {
            condition = nil
        }
    }
}
