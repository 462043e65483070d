import Foundation

/// What an importer makes of the shell commands found under an item.
struct CommandAnalysis {
    /// Why a command cannot be a check run by itself.
    enum Hazard: Equatable {
        case neverEnds(String)
        case prompts(String)
        case changesState(String)

        var reason: String {
            switch self {
            case .neverEnds(let command): "`\(command)` never ends by itself"
            case .prompts(let command): "`\(command)` prompts for input"
            case .changesState(let command): "`\(command)` changes state (a push, deploy, migration or backup)"
            }
        }
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

    /// The first reason these commands cannot run as a check, most serious first.
    func hazard() -> Hazard? {
        let all = commands.flatMap(Self.simpleCommands)
        if let found = all.first(where: Self.neverEnds) { return .neverEnds(found) }
        if let found = all.first(where: Self.prompts) { return .prompts(found) }
        // The last one names the step that matters: `git checkout`, `git merge`, then `git push`.
        if let found = all.last(where: Self.changesState) { return .changesState(found) }
        return nil
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
        command.split(separator: " ").map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
    }

    static func neverEnds(_ command: String) -> Bool {
        let w = words(command)
        guard let tool = w.first else { return false }
        if tool == "tail", w.contains("-f") || w.contains("-F") || w.contains("--follow") { return true }
        if ["watch", "top", "htop", "btop", "k9s"].contains(tool) { return true }
        if w.contains("logs"), w.contains("-f") || w.contains("--follow") { return true }
        if tool == "journalctl", w.contains("-f") || w.contains("--follow") { return true }
        if tool == "kubectl", w.contains("-w") || w.contains("--watch") || w.contains("port-forward") { return true }
        if ["gunicorn", "uvicorn"].contains(tool) { return true }
        if tool == "npm" || tool == "yarn" || tool == "pnpm",
            ["start", "dev", "serve"].contains(w.dropFirst().first ?? "")
        {
            return true
        }
        if tool == "flask", w.dropFirst().first == "run" { return true }
        return false
    }

    static func prompts(_ command: String) -> Bool {
        let w = words(command)
        guard let tool = w.first else { return false }
        if tool == "gpg", w.contains("--symmetric") || w.contains("-c"), !w.contains("--batch") { return true }
        if ["read", "vim", "vi", "nano", "emacs", "less", "more", "passwd"].contains(tool) { return true }
        if tool == "psql", !w.contains("-c"), !w.contains("-f"), !w.contains("--command"), !command.contains("<") {
            return true
        }
        if tool == "mysql", !w.contains("-e"), !command.contains("<") { return true }
        if w.count == 1,
            ["python", "python3", "node", "irb", "redis-cli", "mongo", "mongosh", "sqlite3"].contains(tool)
        {
            return true
        }
        if w.contains("login"),
            ["docker", "npm", "heroku", "gh", "az", "gcloud", "firebase", "vercel", "fly", "flyctl"].contains(tool)
        {
            return true
        }
        if w.contains("console") || w.contains("shell"),
            ["rails", "flask", "python", "python3"].contains(tool) || command.contains("manage.py shell")
        {
            return true
        }
        return false
    }

    static let stateSubcommands: [String: Set<String>] = [
        "git": ["push", "merge", "tag", "commit", "revert", "reset", "rebase", "checkout", "cherry-pick", "pull"],
        "kubectl": [
            "apply", "create", "delete", "rollout", "scale", "set", "patch", "edit", "replace", "annotate", "label",
            "drain", "cordon", "uncordon",
        ],
        "helm": ["install", "upgrade", "rollback", "uninstall", "delete"],
        "docker": ["push", "stop", "rm", "rmi", "restart", "kill"],
        "docker-compose": ["up", "down", "restart", "stop", "rm", "pull"],
        "terraform": ["apply", "destroy", "import"],
        "systemctl": ["start", "stop", "restart", "reload", "enable", "disable"],
        "service": ["start", "stop", "restart", "reload"],
        "pm2": ["start", "stop", "restart", "reload", "delete"],
        "npm": ["publish", "unpublish", "deprecate"],
        "cargo": ["publish", "yank"],
        "gh": ["release", "pr", "workflow"],
        "heroku": [
            "releases:rollback", "config:set", "config:unset", "ps:scale", "ps:restart", "restart", "run",
            "pg:backups:capture",
            "pg:reset", "maintenance:on", "maintenance:off", "rollback", "container:push", "container:release",
        ],
        "flask": ["db"],
        "alembic": ["upgrade", "downgrade", "stamp"],
        "supabase": ["db", "functions", "deploy"],
        "wrangler": ["deploy", "publish", "secret"],
        "vercel": ["deploy", "--prod", "promote", "rollback"],
        "netlify": ["deploy"],
        "fly": ["deploy", "scale", "secrets"], "flyctl": ["deploy", "scale", "secrets"],
        "railway": ["up", "deploy", "redeploy"],
        "goreleaser": ["release"],
        "twine": ["upload"],
        "liquibase": ["update", "rollback"],
        "flyway": ["migrate", "undo", "clean"],
    ]

    static func changesState(_ command: String) -> Bool {
        let w = words(command)
        guard let tool = w.first else { return false }
        let rest = Set(w.dropFirst())
        if tool == "git", w.dropFirst().first == "tag", w.count <= 2 || w.contains("-l") || w.contains("--list") {
            return false
        }
        if let subcommands = stateSubcommands[tool], !rest.isDisjoint(with: subcommands) {
            if tool == "docker", w.dropFirst().first == "compose" {
                return ["up", "down", "restart", "stop", "rm", "pull"].contains(w.dropFirst(2).first ?? "")
            }
            if tool == "flask", w.dropFirst().first == "db" {
                return ["upgrade", "downgrade", "migrate", "stamp"].contains(w.dropFirst(2).first ?? "")
            }
            return true
        }
        if tool == "docker", w.dropFirst().first == "compose" {
            return ["up", "down", "restart", "stop", "rm", "pull"].contains(w.dropFirst(2).first ?? "")
        }
        if ["ssh", "scp", "rsync", "pg_restore", "dropdb", "createdb"].contains(tool) { return true }
        if command.contains("manage.py migrate") || command.contains("db:migrate")
            || command.contains("prisma migrate deploy")
            || command.contains("ef database update") || command.contains("knex migrate")
        {
            return true
        }
        if tool == "curl",
            rest.contains("-X") || rest.contains("--request") || rest.contains("-d") || rest.contains("--data")
                || rest.contains("-F") || rest.contains("--form")
        {
            let method = w.firstIndex(of: "-X").flatMap { w.indices.contains($0 + 1) ? w[$0 + 1].uppercased() : nil }
            return method != "GET" && method != "HEAD"
        }
        if tool == "psql" {
            let upper = command.uppercased()
            return ["INSERT ", "UPDATE ", "DELETE ", "DROP ", "ALTER ", "CREATE ", "TRUNCATE ", "GRANT "].contains {
                upper.contains($0)
            }
                || rest.contains("-f")
        }
        // A backup is an action of its own: it writes the dump the rollback relies on.
        if tool == "pg_dump" || tool == "mysqldump" || tool == "mongodump" { return true }
        return false
    }

    /// Schema migrations: they change a database, which is fine for one the item calls local.
    static func isDatabaseMigration(_ command: String) -> Bool {
        let w = words(command)
        if w.first == "flask", w.dropFirst().first == "db" { return true }
        return w.first == "alembic" || w.first == "liquibase" || w.first == "flyway"
            || command.contains("manage.py migrate")
            || command.contains("db:migrate") || command.contains("prisma migrate")
            || command.contains("ef database update")
            || command.contains("knex migrate")
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
