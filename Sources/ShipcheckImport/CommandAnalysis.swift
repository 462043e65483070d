import Foundation

/// What an importer makes of the shell commands found under an item.
struct CommandAnalysis {
    /// Why a command cannot be a check run by itself: the rule of `CommandRule.table` it meets.
    struct Hazard: Equatable {
        let effect: CommandRule.Effect
        let command: String
        let why: String

        var reason: String { "`\(command)` \(why)" }
    }

    struct VerifyNote: Equatable {
        let keyword: String
        let text: String
    }

    var commands: [String] = []
    var notes: [VerifyNote] = []

    /// Reads a shell code block: `$ ` prompts are stripped (and unprompted lines are then output),
    /// continuation lines are joined, comment lines are not commands; `# Verify:`-style comments are kept.
    static func read(_ body: [String]) -> CommandAnalysis {
        var analysis = CommandAnalysis()
        var logical: [String] = []
        var pending = ""
        for raw in body {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\\") && !line.hasPrefix("#") {
                pending += String(line.dropLast()) + " "
                continue
            }
            logical.append(pending + line)
            pending = ""
        }
        if !pending.isEmpty { logical.append(pending.trimmingCharacters(in: .whitespaces)) }
        let prompted = logical.contains { $0.hasPrefix("$ ") || $0 == "$" }
        for line in logical where !line.isEmpty {
            if line.hasPrefix("#") {
                if let note = verifyNote(line) { analysis.notes.append(note) }
                continue
            }
            if prompted {
                guard line.hasPrefix("$ ") else { continue }
                analysis.commands.append(String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces))
            } else {
                analysis.commands.append(line)
            }
        }
        return analysis
    }

    static let verifyKeywords = [
        "verify", "expected", "expect", "should show", "should", "must", "baseline",
        "check", "test", "result", "output",
    ]
    /// Keywords that count without a colon: `# Should return 200`.
    static let bareKeywords: Set<String> = ["verify", "expected", "should", "must"]

    static func verifyNote(_ line: String) -> VerifyNote? {
        let comment = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
        let lower = comment.lowercased()
        for keyword in verifyKeywords where lower.hasPrefix(keyword) {
            var rest = comment.dropFirst(keyword.count)
            if rest.first == ":" {
                rest = rest.dropFirst()
            } else if !bareKeywords.contains(keyword) || !(rest.first == " ") {
                continue
            }
            let text = rest.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : VerifyNote(keyword: keyword, text: text)
        }
        return nil
    }

    // MARK: - Hazards

    /// The first reason these commands cannot run as a check, most serious first; for state
    /// changes the last one, which names the step that matters (`git checkout`, then `git push`).
    func hazard() -> Hazard? {
        let found = commands.flatMap(Self.simpleCommands).compactMap { command in
            CommandRule.match(command).map { Hazard(effect: $0.effect, command: command, why: $0.why) }
        }
        guard let worst = found.map(\.effect).min() else { return nil }
        let matching = found.filter { $0.effect == worst }
        return worst == .changesState ? matching.last : matching.first
    }

    /// Splits `a && b | c; d` into its simple commands, without their leading env assignments or sudo.
    static func simpleCommands(_ line: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        var previous: Character = " "
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                current.append(character)
            } else if character == ";" || character == "|" || (character == "&" && previous == "&") {
                if character == "&" { current.removeLast() }
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        parts.append(current)
        return parts.map { part in
            var words = part.split(separator: " ").map(String.init)
            while let first = words.first, first.contains("="), !first.hasPrefix("-"), !first.hasPrefix("\"") {
                words.removeFirst()
            }
            if words.first == "sudo" || words.first == "time" || words.first == "exec" { words.removeFirst() }
            return words.joined(separator: " ")
        }.filter { !$0.isEmpty && $0 != "&" }
    }

    static func words(_ command: String) -> [String] {
        CommandRule.Words(command).all
    }

    /// Inline code from an item's text that reads as a command: `npm test`, `./scripts/check.sh`.
    static func inlineCommands(in text: String) -> [String] {
        var found: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "`") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "`") else { break }
            let code = rest[afterOpen..<close].trimmingCharacters(in: .whitespaces)
            if looksLikeCommand(code) { found.append(code) }
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    static let commandTools: Set<String> = [
        "npm", "npx", "yarn", "pnpm", "node", "go", "cargo", "rustc", "pytest", "python", "python3", "pip", "pip3",
        "make", "docker",
        "docker-compose", "kubectl", "helm", "git", "curl", "wget", "terraform", "flask", "psql", "mysql", "redis-cli",
        "ruff",
        "black", "flake8", "mypy", "bandit", "safety", "pylint", "isort", "mvn", "gradle", "./gradlew", "./mvnw",
        "dotnet",
        "flutter", "dart", "golangci-lint", "gofmt", "php", "composer", "bundle", "rake", "rails", "rspec", "tox",
        "poetry",
        "uv", "openssl", "dig", "nslookup", "systemctl", "journalctl", "ssh", "gh", "heroku", "vercel", "netlify",
        "wrangler",
        "supabase", "alembic", "eslint", "prettier", "tsc", "jest", "vitest", "playwright", "cypress", "k6", "ab",
        "wrk",
        "trivy", "snyk", "gitleaks", "detect-secrets", "semgrep", "shellcheck", "hadolint", "kustomize", "argocd",
        "aws",
        "gcloud", "az", "fly", "flyctl", "railway", "ping", "nc", "telnet", "sqlite3", "pg_dump", "pg_isready", "grep",
        "cat",
        "ls", "df", "free", "du", "jq", "bash", "sh", "goreleaser", "swift", "xcodebuild", "ansible-playbook",
    ]

    static func looksLikeCommand(_ code: String) -> Bool {
        guard !code.isEmpty, code.count < 300 else { return false }
        let first = code.split(separator: " ").first.map(String.init) ?? ""
        if first.hasPrefix("./") || first.hasPrefix("scripts/") { return true }
        if commandTools.contains(first) {
            // A bare tool name ("`docker`") is a mention, not a command; `npm test` is a command.
            return code.contains(" ") || first.hasPrefix("./")
        }
        if first.hasSuffix(".sh") || first.hasSuffix(".py") && code.contains(" ") { return true }
        return false
    }
}
