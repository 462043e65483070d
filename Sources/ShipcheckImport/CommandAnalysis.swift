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
        /// A comment without a keyword (`# No pods in CrashLoopBackOff`, `terraform version  # >= 1.5`):
        /// used when it states a fact to check; otherwise it only describes the command.
        var descriptive = false
        /// `# Verify cluster version` (no colon): may only name what follows.
        var bare = false
    }

    var commands: [String] = []
    var notes: [VerifyNote] = []

    /// Reads a shell code block: `$ ` prompts are stripped (and unprompted lines are then output),
    /// continuation lines are joined, comment lines are not commands; `# Verify:`-style comments are kept.
    static func read(_ body: [String]) -> CommandAnalysis {
        var analysis = CommandAnalysis()
        var logical: [String] = []
        var pending = ""
        var index = 0
        while index < body.count {
            let line = body[index].trimmedWhitespace
            index += 1
            if line.hasSuffix("\\") && !line.hasPrefix("#") {
                pending += String(line.dropLast()) + " "
                continue
            }
            var command = pending + line
            pending = ""
            // A here-document's lines belong to its command, as written: indentation kept.
            if !line.hasPrefix("#"), let (delimiter, tabsStripped) = hereDocument(command) {
                while index < body.count {
                    let raw = body[index]
                    index += 1
                    command += "\n" + raw
                    let end = tabsStripped ? raw.trimmedWhitespace : raw
                    if end == delimiter { break }
                }
            }
            logical.append(command)
        }
        if !pending.isEmpty { logical.append(pending.trimmedWhitespace) }
        let prompted = logical.contains { $0.hasPrefix("$ ") || $0 == "$" }
        for line in logical where !line.isEmpty {
            if line.hasPrefix("#") {
                if let note = verifyNote(line) {
                    analysis.notes.append(note)
                } else if !line.hasPrefix("#!") {
                    let text = line.drop { $0 == "#" }.trimmedWhitespace
                    if !text.isEmpty {
                        analysis.notes.append(VerifyNote(keyword: "comment", text: text, descriptive: true))
                    }
                }
                continue
            }
            var line = line
            // Only the command's own line: a here-document's body is data.
            let firstLine = line.prefix { $0 != "\n" }
            if let (command, comment) = trailingComment(String(firstLine)) {
                line = command + line.dropFirst(firstLine.count)
                analysis.notes.append(
                    verifyNote("# " + comment) ?? VerifyNote(keyword: "comment", text: comment, descriptive: true))
            }
            // `=====`, `✅ Done`, `SMTP_USER = x`: output or settings shown in the block, not commands.
            if !looksRunnable(line) { continue }
            // `release: alembic upgrade head`, `web: gunicorn app`: a Procfile or YAML line, not a command.
            if let first = line.split(separator: " ").first, first.count > 1, first.hasSuffix(":"),
                first.dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
            {
                continue
            }
            if prompted {
                guard line.hasPrefix("$ ") else { continue }
                analysis.commands.append(String(line.dropFirst(2)).trimmedWhitespace)
            } else {
                analysis.commands.append(line)
            }
        }
        // `DISABLE_RATE_LIMIT=true`, `cd /opt/app`, `echo "done"` alone look at nothing: a check of
        // them would pass on no evidence.
        if analysis.commands.allSatisfy({ isOnlyAssignments($0) || looksAtNothing($0) }) { analysis.commands = [] }
        return analysis
    }

    /// Whether a line can start a shell command: a word, a path, a variable, a subshell or a
    /// quote; not a rule of `=`, an emoji or `NAME = value` (spaces around `=` are not shell).
    static func looksRunnable(_ line: String) -> Bool {
        guard let first = line.unicodeScalars.first else { return false }
        let starts = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "./~$({[!\"'_-\\"))
        guard first.isASCII, starts.contains(first) else { return false }
        let words = line.split(separator: " ", maxSplits: 2)
        if words.count >= 2, words[1] == "=" { return false }
        return true
    }

    /// Set-up and printing that check nothing by themselves: `cd`, `export`, `source`, `echo`, `sleep`.
    static func looksAtNothing(_ command: String) -> Bool {
        guard !command.has("|"), !command.has("&&"), !command.has(";"), !command.has("$(") else {
            return false
        }
        let tool = command.split(separator: " ").first.map(String.init) ?? ""
        return [
            "cd", "pushd", "popd", "export", "set", "unset", "alias", "source", ".", "echo", "printf", "clear",
            "true", ":", "sleep",
        ].contains(tool)
    }

    /// `NAME=value` words and nothing else (`export NAME=value` included).
    static func isOnlyAssignments(_ command: String) -> Bool {
        var words = command.split(separator: " ")
        if words.first == "export" { words.removeFirst() }
        return !words.isEmpty
            && words.allSatisfy { word in
                guard let equals = word.firstIndex(of: "="), equals > word.startIndex else { return false }
                return word[..<equals].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            }
    }

    /// `cat <<EOF > file`, `psql <<-'SQL'`: the delimiter, and whether its closing line may be indented.
    static func hereDocument(_ line: String) -> (String, Bool)? {
        guard let marker = line.range(of: "<<"), !line[marker.upperBound...].hasPrefix("<") else { return nil }
        var rest = line[marker.upperBound...]
        let tabsStripped = rest.first == "-"
        if tabsStripped { rest = rest.dropFirst() }
        rest = rest.drop { $0 == " " }
        let word = rest.prefix { !$0.isWhitespace && $0 != ";" && $0 != "|" && $0 != ">" && $0 != ")" }
        let delimiter = word.filter { $0 != "'" && $0 != "\"" }
        guard !delimiter.isEmpty, delimiter.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return (String(delimiter), tabsStripped)
    }

    /// `terraform version  # >= 1.5` → (`terraform version`, `>= 1.5`): a `#` after a space, outside quotes.
    static func trailingComment(_ line: String) -> (String, String)? {
        var quote: Character?
        var previous: Character = " "
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#", previous == " " || previous == "\t" {
                let command = line[..<index].trimmedWhitespace
                let comment = line[line.index(after: index)...].drop { $0 == "#" }.trimmedWhitespace
                guard !command.isEmpty, !comment.isEmpty else { return nil }
                return (command, comment)
            }
            previous = character
            index = line.index(after: index)
        }
        return nil
    }

    static let verifyKeywords = [
        "verify", "expected", "expect", "should show", "should", "must", "baseline",
        "check", "test", "result", "output",
    ]
    /// Keywords that count without a colon: `# Should return 200`.
    static let bareKeywords: Set<String> = ["verify", "expected", "should", "must"]

    static func verifyNote(_ line: String) -> VerifyNote? {
        let comment = line.drop { $0 == "#" }.trimmedWhitespace
        let lower = comment.lowercased()
        for keyword in verifyKeywords where lower.hasPrefix(keyword) {
            var rest = comment.dropFirst(keyword.count)
            let bare = rest.first != ":"
            if !bare {
                rest = rest.dropFirst()
            } else if !bareKeywords.contains(keyword) || !(rest.first == " ") {
                continue
            }
            let text = rest.trimmedWhitespace
            return text.isEmpty ? nil : VerifyNote(keyword: keyword, text: text, bare: bare)
        }
        return nil
    }

    // MARK: - Hazards

    /// The first reason these commands cannot run as a check, most serious first; for state
    /// changes the last one, which names the step that matters (`git checkout`, then `git push`).
    func hazard() -> Hazard? {
        // Commands inside `$( … )` and backticks run too: `TOKEN=$(curl -X POST …)`.
        let all = commands + commands.flatMap(Self.substitutions)
        let found = all.flatMap(Self.simpleCommands).compactMap { command in
            CommandRule.match(command).map { Hazard(effect: $0.effect, command: command, why: $0.why) }
        }
        // Default-deny: with nothing known to be wrong, every command must be known to only read.
        let unknown = all.flatMap(Self.simpleCommands).filter { !ReadOnlyCommands.knows($0) }.map {
            Hazard(effect: .unknown, command: $0, why: ReadOnlyCommands.notKnown)
        }
        guard let worst = (found + unknown).map(\.effect).min() else { return nil }
        if worst == .unknown { return unknown.first }
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
            CommandRule.Words.droppingRunners(part.split(separator: " ").map(String.init)).joined(separator: " ")
        }.filter { !$0.isEmpty && $0 != "&" }
    }

    /// The commands inside `$( … )` and backquotes, nested ones included.
    static func substitutions(_ line: String) -> [String] {
        var found: [String] = []
        let characters = Array(line)
        var index = 0
        while index < characters.count {
            if characters[index] == "$", index + 1 < characters.count, characters[index + 1] == "(" {
                var depth = 0
                var end = index + 1
                while end < characters.count {
                    if characters[end] == "(" { depth += 1 }
                    if characters[end] == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    end += 1
                }
                let inner = String(characters[(index + 2)..<min(end, characters.count)])
                found.append(inner)
                found += substitutions(inner)
                index = end
            } else if characters[index] == "`", let close = characters[(index + 1)...].firstIndex(of: "`") {
                found.append(String(characters[(index + 1)..<close]))
                index = close
            }
            index += 1
        }
        return found
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
            let code = rest[afterOpen..<close].trimmedWhitespace
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
            return code.has(" ") || first.hasPrefix("./")
        }
        if first.hasSuffix(".sh") || first.hasSuffix(".py") && code.has(" ") { return true }
        return false
    }
}
