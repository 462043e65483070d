import Foundation
import ShipcheckCore

/// What each found item becomes: a check, an action, a probe to point somewhere, or a manual item.
enum Decisions {
    static let shellLanguages: Set<String> = [
        "", "bash", "sh", "shell", "console", "zsh", "shell-session", "shellsession",
        "terminal", "cmd",
    ]

    static func decide(_ item: inout FoundItem) {
        var analysis = CommandAnalysis()
        var otherBlocks: [String] = []
        for fence in item.fences {
            let language = fence.info.split(separator: " ").first.map { String($0).lowercased() } ?? ""
            if shellLanguages.contains(language) {
                let read = CommandAnalysis.read(fence.body)
                analysis.commands += read.commands
                analysis.notes += read.notes
            } else {
                otherBlocks.append("\(language) block, lines \(fence.startLine)–\(fence.endLine)")
                item.description.append("```\(language)")
                item.description += fence.body.prefix(40)
                if fence.body.count > 40 {
                    item.description.append("… (\(fence.body.count - 40) more lines in the source)")
                }
                item.description.append("```")
            }
        }
        if analysis.commands.isEmpty {
            analysis.commands = CommandAnalysis.inlineCommands(in: item.rawText)
        }
        (item.commands, item.placeholderVariables) = Placeholders.declare(in: analysis.commands)
        if let (kind, variables) = BuiltInKind.named(by: item.title, description: item.description) {
            item.decision = .kind(kind)
            for variable in variables where !item.placeholderVariables.contains(where: { $0.name == variable.name }) {
                item.placeholderVariables.append(variable)
            }
            return
        }
        for note in analysis.notes {
            let derived = ExpectationPatterns.derive(
                note: note.text, keyword: note.keyword, commands: analysis.commands)
            // A comment that only names what follows (`# Verify cluster version`) describes; it is
            // not a fact left unchecked. One without a keyword counts only when it states a fact.
            if note.descriptive || note.bare && ExpectationPatterns.onlyNames(note.text) {
                let states = derived.todo.isEmpty && derived.expectations.contains { $0 != "exit == 0" }
                guard states else { continue }
            }
            item.derived.merge(derived)
            item.notes.append("# \(note.keyword.capitalized): \(note.text)")
        }
        for output in item.expectedOutputs {
            if let expectation = ExpectationPatterns.expectedOutput(output) {
                item.derived.add(expectation)
                item.notes.append("the expected output shown in the source")
            }
        }
        for sentence in item.expectationProse {
            let text = ExpectationPatterns.droppingExpectedLabel(DocumentWalker.plain(sentence))
            item.derived.merge(ExpectationPatterns.derive(note: text, keyword: "expected", commands: analysis.commands))
            item.notes.append("\u{201C}\(text)\u{201D}")
        }
        // The item's own words, when nothing else said what to expect: "Test coverage ≥ 80% (`go test
        // -cover ./...`)", "Run `cargo audit` - ensure 0 vulnerabilities". Only what the command can
        // show (its exit, output, a report, a capture) and only when the words say something definite.
        if !item.commands.isEmpty, item.derived.expectations.allSatisfy({ $0 == "exit == 0" }) {
            // Without its code spans (the command itself, a file name) and without phrases to find in
            // the output: a title quotes problems and names as often as results.
            let words = DocumentWalker.plain(item.title).split(separator: "`", omittingEmptySubsequences: false)
                .enumerated().filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
            let fromTitle = ExpectationPatterns.derive(note: words, keyword: "title", commands: item.commands)
            let usable = fromTitle.expectations.filter {
                $0 != "exit == 0" && !$0.hasPrefix("stdout contains") && !$0.hasPrefix("stdout =~")
                    && ExpectationPatterns.commandCanProduce($0, derived: fromTitle)
            }
            if fromTitle.todo.isEmpty, !usable.isEmpty {
                var kept = fromTitle
                kept.expectations = usable
                item.derived.merge(kept)
                item.notes.append("its title")
            }
        }
        // Threshold bullets under the item ("API p95 response time: <500ms").
        var thresholds: [String] = []
        for line in item.description where line.hasPrefix("- ") || line.hasPrefix("  - ") {
            let bullet = line.trimmedWhitespace.dropFirst(2)
            if let (fact, op, value) = ExpectationPatterns.thresholdExpectation(String(bullet), context: item.title) {
                thresholds.append("\(fact) \(op) \(value)")
            }
        }
        if item.lookalike == .signoffBlank {
            item.signoffs = signoffs(label: item.rawText, section: item.section, roleHint: item.roleHint)
            if genericSignoffLabel(item.title), let role = item.signoffs?.role {
                item.title =
                    (item.roleHint ?? item.section.components(separatedBy: " › ").last ?? role)
                    + (item.title.lowercased().hasPrefix("sign") ? "" : " — \(item.title)")
                if !item.title.lowercased().has("sign") { item.title += " sign-off" }
            }
            item.decision = .manual(reason: "a sign-off blank: someone in the role signs it")
            return
        }
        if item.commands.isEmpty {
            let measured = item.derived.expectations.filter { $0 != "exit == 0" } + thresholds
            if !measured.isEmpty {
                item.derived.expectations = []
                for expectation in measured where !expectation.hasPrefix("stdout") && !expectation.hasPrefix("lines") {
                    item.derived.add(expectation)
                }
                if let lighthouse = Self.lighthouseRun(for: item.derived.expectations) {
                    item.commands = [lighthouse.command]
                    item.derived.lighthouseReport = lighthouse.report
                    if !item.placeholderVariables.contains(where: { $0.name == BuiltInKind.baseURL.name }) {
                        item.placeholderVariables.append(BuiltInKind.baseURL)
                    }
                    item.notes.append("its Lighthouse scores, measured by a Lighthouse run against BASE_URL")
                    item.decision = .check
                    return
                }
                if !item.derived.expectations.isEmpty {
                    item.decision = .probe
                    return
                }
            }
            let reason: String
            if !item.fences.isEmpty, otherBlocks.count < item.fences.count {
                reason = "its code block holds only comments, no command"
            } else if !otherBlocks.isEmpty {
                reason =
                    "its code (\(otherBlocks.joined(separator: "; "))) is not a shell command; kept in the description"
            } else {
                reason = "nothing in the text to run"
            }
            item.decision = .manual(reason: reason)
            item.signoffs = signoffs(label: item.rawText, section: item.section, roleHint: item.roleHint)
            return
        }
        for expectation in thresholds { item.derived.add(expectation) }
        let hazard = CommandAnalysis(commands: item.commands, notes: []).hazard()
        switch hazard?.effect {
        case .neverEnds?:
            item.decision = .manual(reason: (hazard?.reason ?? "") + "; watch it by hand")
        case .prompts?:
            item.decision = .manual(reason: hazard?.reason ?? "")
        case .changesState?
        where hazard?.why == CommandRule.migratesTheDatabase
            && (item.title + " " + item.description.joined(separator: " ")).lowercased().has("local"):
            // "Migration tested locally": runs against the local database in DATABASE_URL, and
            // refuses one that is not local.
            item.decision = .check
            item.localDatabaseOnly = true
        case .changesState?, .unknown?:
            let reason = hazard?.reason ?? ""
            if item.phase == .deploy || item.phase == .rollback {
                item.decision = .action(reason: reason)
            } else {
                item.decision = .manual(reason: reason + "; it is not run as a check outside the deploy phase")
            }
        case nil:
            item.decision = .check
            if item.phase != .preDeploy, isLocalBuildOrTest(item) {
                item.phase = .preDeploy
                item.movedToPreDeploy = true
            }
        }
        if case .manual = item.decision {
            item.signoffs = signoffs(label: item.rawText, section: item.section, roleHint: item.roleHint)
        }
    }

    /// Builds and linters only ever look at the code here: `npm run build`, `go build`, `ruff check .`.
    /// (Test runners are not in the list: under a deploy heading they usually test the deployed system.)
    static let localTools: [String: Set<String>] = [
        "go": ["build", "vet"], "cargo": ["build", "clippy", "check", "fmt"], "make": ["build", "lint", "all"],
        "mvn": ["package", "compile"], "gradle": ["build", "assemble"], "./gradlew": ["build", "assemble"],
        "swift": ["build"], "dotnet": ["build"],
    ]
    static let localOnlyTools: Set<String> = [
        "ruff", "black", "mypy", "flake8", "pylint", "eslint", "tsc", "golangci-lint", "rubocop", "prettier",
    ]

    /// A check that builds or lints the code here, or says it runs locally ("Re-run all tests
    /// locally"): pre-deploy, even under a deploy heading.
    static func isLocalBuildOrTest(_ item: FoundItem) -> Bool {
        guard item.phase != .rollback else { return false }
        let text = (item.title + " " + item.description.joined(separator: " ")).lowercased()
        if text.hasAny(["locally", "local build", "on your machine", "local test"]) { return true }
        guard item.phase == .deploy, !item.commands.isEmpty else { return false }
        return item.commands.allSatisfy { command in
            let words = CommandRule.Words(command).all
            guard let tool = words.first else { return false }
            if localOnlyTools.contains(tool) { return true }
            if ["npm", "yarn", "pnpm"].contains(tool) {
                return words.count > 2 && words[1] == "run" && ["build", "lint", "typecheck"].contains(words[2])
            }
            return words.count > 1 && localTools[tool]?.contains(words[1]) == true
        }
    }

    /// Role words and the role each names; `whole` words count only as a word of their own (`qa`,
    /// not the `qa` in "aqua"), the others anywhere.
    static let roleWords: [(word: String, whole: Bool, role: String)] = [
        ("security champion", false, "security-champion"), ("tech lead", false, "tech-lead"),
        ("technical lead", false, "tech-lead"), ("engineering lead", false, "engineering-lead"),
        ("team lead", false, "team-lead"), ("product owner", false, "product-owner"),
        ("product manager", false, "product-manager"), ("release manager", false, "release-manager"),
        ("on-call", false, "on-call"), ("oncall", false, "on-call"), ("cto", true, "cto"), ("qa", true, "qa"),
        ("dba", true, "dba"), ("security team", false, "security-team"), ("devops", false, "devops"),
        ("stakeholder", false, "stakeholders"), ("reviewer", false, "reviewer"), ("approv", false, "approver"),
    ]

    /// Lighthouse scores with no command to measure them ("Performance: >90" under "Lighthouse scores"):
    /// a headless Lighthouse run of the categories named, against the service's base URL.
    static func lighthouseRun(for expectations: [String]) -> (command: String, report: String)? {
        let categories = expectations.compactMap { expectation -> String? in
            guard expectation.hasPrefix("lighthouse.") else { return nil }
            return String(expectation.dropFirst("lighthouse.".count).prefix { $0 != " " })
        }
        // Lighthouse's categories only: a metric ("first-contentful-paint") is not in its report's scores.
        let known: Set<String> = ["performance", "accessibility", "best-practices", "seo", "pwa"]
        guard !categories.isEmpty, categories.count == expectations.count, categories.allSatisfy(known.contains)
        else { return nil }
        let report = "reports/lighthouse-\(categories.joined(separator: "-")).json"
        let command =
            "lighthouse \"${{ vars.\(BuiltInKind.baseURL.name) }}/\" --quiet --chrome-flags=\"--headless\" "
            + "--only-categories=\(categories.joined(separator: ",")) --output=json --output-path=\(report)"
        return (command, report)
    }

    /// Whether `text` names a role word: as a word of its own when `whole`, else anywhere.
    static func contains(_ text: String, _ word: String, whole: Bool) -> Bool {
        guard whole else { return text.has(word) }
        return text.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" }).contains { $0 == word }
    }

    static let signoffCount = ExpectationPatterns.regex(
        #"(\d+|one|two|three|four|five)\s+(?:\w+\s+)?(?:reviewers?|approv\w*|people|engineers?)"#)

    static let numbers = ["one": 1, "two": 2, "three": 3, "four": 4, "five": 5]

    /// The sign-off a manual item asks for, and from whom: "approved by at least 2 reviewers" → 2 from
    /// `reviewer`. A role is the one who approves ("reviewed by the tech lead", "CTO sign-off", the
    /// label of a `Security Team: ____` blank), never the object of the sentence ("invites sent to
    /// stakeholders", "on-call engineer notified"). A blank labelled only "Signature" or "Sign-Off"
    /// takes its role from the line above it or its section.
    static func signoffs(label: String, section: String = "", roleHint: String? = nil) -> SignoffGroup? {
        let text = DocumentWalker.plain(label)
        let lower = text.lowercased()
        var role: String?
        if text.has("___") {
            let name = DocumentWalker.title(text)
            if !genericSignoffLabel(name) {
                role = roleName(name)
            } else if let roleHint {
                role = roleName(roleHint)
            } else if let last = section.components(separatedBy: " › ").last, !last.isEmpty {
                role = roleName(last)
            }
            role = role ?? "approver"
        } else {
            role = subjectRole(lower)
            if role == nil, lower.hasAny(["approv", "sign-off", "signed off", "sign off", "signoff"]) {
                role = "approver"
            }
        }
        guard let role else { return nil }
        var count = 1
        if let groups = ExpectationPatterns.firstMatch(signoffCount, lower) {
            count = Int(groups[1]) ?? numbers[groups[1]] ?? 1
        }
        return SignoffGroup(count: max(1, min(count, 10)), distinct: true, role: role)
    }

    static let genericSignoffWords: Set<String> = [
        "sign-off", "signoff", "sign off", "signature", "signed", "signed off", "approved", "approved by", "approval",
        "name", "sign", "signed by",
    ]

    static func genericSignoffLabel(_ label: String) -> Bool {
        genericSignoffWords.contains(label.lowercased().trimmingWhitespace(and: ":*"))
    }

    /// "QA Team Sign-Off" → `qa`; "Backend Developer" → `backend-developer`.
    static func roleName(_ text: String) -> String {
        let lower = DocumentWalker.plain(text).lowercased()
        if let known = roleWords.first(where: { $0.role != "approver" && contains(lower, $0.word, whole: $0.whole) }) {
            return known.role
        }
        var words = lower.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        words.removeAll { ["sign", "off", "signoff", "signature", "approval", "the"].contains($0) }
        let name = words.joined(separator: "-")
        return name.isEmpty ? "approver" : name
    }

    /// The role that approves in a sentence: after "by"/"from", or before "sign-off", "approves",
    /// "reviews", "confirms" and the like, or opening the line ("CTO: …").
    static func subjectRole(_ lower: String) -> String? {
        let sentence = ApprovingSentence(lower)
        for (word, whole, role) in roleWords where role != "approver" && contains(lower, word, whole: whole) {
            if sentence.approves(word) { return role }
        }
        return nil
    }

    /// Ids from titles, unique, ASCII; a title without Latin letters gets `item-LINE`.
    static func assignIDs(_ items: inout [FoundItem]) {
        var used: Set<String> = []
        for index in items.indices {
            var base = ExpectationPatterns.snake(items[index].title).replacingBytes("_", with: "-")
            if base.count > 48 {
                base = String(base.prefix(48))
                while base.hasSuffix("-") { base.removeLast() }
            }
            if base == "value" || base.count < 2 { base = "item-\(items[index].line)" }
            var candidate = base
            var counter = 2
            while used.contains(candidate) {
                candidate = "\(base)-\(counter)"
                counter += 1
            }
            used.insert(candidate)
            items[index].id = candidate
        }
    }
}
