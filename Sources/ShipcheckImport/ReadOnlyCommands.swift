import Foundation

/// The commands known to only read: a command becomes a check only when this table knows it (and
/// `CommandRule.table` finds nothing wrong with it). Anything else is an action in the deploy and
/// rollback phases, or a manual step showing the command, until someone who knows it makes it a
/// check: a list of unsafe shapes cannot anticipate every tool, so the default is to deny.
enum ReadOnlyCommands {
    static let notKnown = "is not known to be read-only: make it a check if it only reads"

    /// Tools that only read, whatever their arguments (those that can write are in `CommandRule.table`
    /// or below with the flag that makes them read).
    static let readers: Set<String> = [
        // Files, text and the system.
        "cat", "head", "tail", "less", "grep", "egrep", "fgrep", "rg", "ag", "wc", "ls", "ll", "stat", "du", "df",
        "find", "diff", "cmp", "comm", "sort", "uniq", "cut", "tr", "awk", "column", "jq", "yq", "xmllint", "echo",
        "printf", "date", "uptime", "free", "whoami", "id", "hostname", "uname", "which", "whereis", "type", "file",
        "sha256sum", "sha1sum", "md5sum", "shasum", "b2sum", "base64", "test", "[", "[[", "true", "false", "pwd",
        "basename", "dirname", "realpath", "readlink", "seq", "expr", "ps", "pgrep", "lsof", "ss", "netstat", "ip",
        "ifconfig", "vmstat", "iostat", "mpstat", "sar", "nproc", "lscpu", "lsblk", "mount", "getent", "env",
        "printenv", "locale", "timedatectl", "hostnamectl", "ulimit", "sleep", "wait", "exit", "return", "set",
        "cd", "export", "source", ".", "local", "declare", "read", "shift", "unset", "trap",
        // The network, read.
        "dig", "nslookup", "host", "whois", "traceroute", "tracepath", "mtr", "nc", "ncat", "telnet", "curl", "wget",
        "http", "https", "xh", "grpcurl", "websocat", "wscat", "openssl", "ssh-keyscan", "ping", "fping", "nmap",
        "testssl.sh", "sslscan",
        // Tests, linters, scanners and builds of the code here.
        "pytest", "py.test", "tox", "nox", "coverage", "flake8", "pylint", "mypy", "pyright", "pyflakes",
        "pycodestyle", "pydocstyle", "bandit", "safety", "pip-audit", "pip-licenses", "vulture", "radon", "xenon",
        "jest", "vitest", "mocha", "ava", "karma", "jasmine", "tsc", "vue-tsc", "svelte-check", "playwright",
        "cypress", "wdio", "lighthouse", "lhci", "axe", "pa11y", "k6", "artillery", "ab", "wrk", "hey", "vegeta",
        "locust", "siege", "trivy", "grype", "syft", "gitleaks", "trufflehog", "detect-secrets", "semgrep", "snyk",
        "osv-scanner", "hadolint", "shellcheck", "yamllint", "markdownlint", "markdownlint-cli2", "actionlint",
        "kubeval", "kubeconform", "kube-score", "kube-linter", "conftest", "checkov", "tfsec", "tflint", "terrascan",
        "infracost", "promtool", "amtool", "golangci-lint", "staticcheck", "govulncheck", "phpunit", "phpstan",
        "psalm", "rspec", "minitest", "jasmine-node", "ctest", "xcodebuild", "swiftlint", "ktlint", "detekt",
        "spotbugs", "pmd", "sonar-scanner", "stylelint", "htmlhint", "commitlint", "license-checker", "depcheck",
        "madge", "size-limit", "bundlesize", "newman", "dredd", "schemathesis", "zap-baseline.py", "nikto",
        "sqlfluff", "squawk", "eslint", "rubocop", "pgbench", "redis-benchmark", "pg_isready", "mysqladmin",
        "sentry-cli",
        "sed",
        // Clients whose writes `CommandRule.table` names (DDL and DML, SET/DEL/FLUSHALL, tar -c/-x).
        "psql", "mysql", "sqlite3", "redis-cli", "tar", "journalctl", "dmesg",
    ]

    /// Tools that read only in a subcommand or with a flag: the words that make them read.
    static let readingWords: Set<String> = [
        "get", "list", "ls", "describe", "show", "status", "info", "inspect", "view", "version", "logs", "log",
        "check", "validate", "verify", "test", "tests", "lint", "diff", "plan", "history", "top", "ping", "whoami",
        "health", "healthcheck", "doctor", "explain", "search", "audit", "outdated", "tree", "current", "heads",
        "branches", "showmigrations", "context", "contexts", "current-context", "get-contexts", "can-i", "branch",
        "package", "assemble", "wait", "port", "read",
        "cluster-info", "api-resources", "api-versions", "events", "ps", "images", "stats", "preview", "output",
        "providers", "graph", "releases", "apps:info", "pg:info", "pg:diagnose", "redis:info", "domains",
        "certs", "addons", "rev-parse", "describe-instances", "ls-files", "ls-remote", "fetch", "blame", "shortlog",
        "merge-base", "cat-file", "for-each-ref", "symbolic-ref", "name-rev", "count-objects", "fsck", "grep",
        "checks", "build", "compile", "vet", "clippy", "analyze", "typecheck", "type-check", "format-check",
        "fmt-check", "ci", "install", "sync", "download", "verify-deps", "licenses", "freeze", "why", "query",
        "measure", "scan", "detect", "report", "summary", "metrics", "query-range", "instant",
        "configtest", "dump-config", "print-config", "dry-run", "template", "lint-staged", "smoke", "e2e", "spec",
        "integration", "unit", "bench", "benchmark", "coverage", "size", "stat", "du", "df",
        "get-caller-identity",
    ]

    /// Reading words that set up or build the project here, counted only as the tool's subcommand.
    static let setUpWords: Set<String> = [
        "ci", "install", "sync", "download", "build", "compile", "package", "assemble", "fetch", "run",
    ]

    /// Set-up words that install: read only for the tools that install the project's own dependencies.
    static let installWords: Set<String> = ["ci", "install", "sync", "download"]
    static let projectInstallers: Set<String> = [
        "npm", "pnpm", "yarn", "bun", "pip", "pip3", "bundle", "poetry", "uv", "pipenv", "pdm", "composer", "mvn",
        "./mvnw", "gradle", "./gradlew", "dotnet", "cargo", "go",
    ]

    /// Flags that make a writer read: `black --check`, `terraform fmt -check`, `kubectl apply --dry-run`.
    static let readingFlags: Set<String> = [
        "--check", "-check", "--diff", "--dry-run", "--dryrun", "--dry_run", "--noop", "--what-if", "--list",
        "--version", "--check-only", "--verify", "--validate", "--plan", "--preview", "--no-write",
        "--list-different", "--show-diff", "--get", "--get-all", "--describe",
    ]

    /// Tools whose reading flag must be there: without it they rewrite files.
    static let formatters: Set<String> = [
        "black", "isort", "autopep8", "yapf", "prettier", "gofmt", "goimports", "rustfmt", "clang-format",
        "shfmt", "swift-format", "swiftformat", "standard", "autoflake", "pyupgrade", "djlint",
    ]

    /// Linters that rewrite files when told to fix: with one of these words they are not readers.
    static let fixingWords: [String: Set<String>] = [
        "eslint": ["--fix"], "stylelint": ["--fix"], "ruff": ["--fix", "--unsafe-fixes"],
        "markdownlint": ["--fix"], "markdownlint-cli2": ["--fix"], "golangci-lint": ["--fix"], "tflint": ["--fix"],
        "swiftlint": ["--fix", "--autocorrect", "autocorrect"], "sqlfluff": ["fix", "format"],
        "rubocop": ["-a", "-A", "--autocorrect", "--autocorrect-all", "--auto-correct", "--auto-correct-all"],
        "ktlint": ["-F", "--format"], "detekt": ["--auto-correct", "-ac"], "semgrep": ["--autofix"],
        "psalm": ["--alter"], "phpstan": ["--fix"],
    ]

    /// Words that only begin, group or end shell syntax: nothing runs by them.
    static let shellSyntax: Set<String> = [
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "{", "}", "(", ")",
        "!", "in", "function", "select", ";;",
    ]

    /// Whether `command` (one simple command, runners dropped) is known to only read.
    static func knows(_ command: String) -> Bool {
        let words = CommandRule.Words(command)
        var all = words.all[...]
        // `( cd x`, `{ grep …`, `if grep …`, `! grep …`: the command after the syntax.
        // A loop's or a case's header (`for i in 1 2 3`): its body's commands are read on their own.
        if let first = all.first, ["for", "select", "case"].contains(first) { return true }
        while let first = all.first, shellSyntax.contains(first) || first.hasPrefix("(") && first.count > 1 {
            if first.hasPrefix("("), first.count > 1, !shellSyntax.contains(first) {
                all = [String(first.dropFirst())] + all.dropFirst()
                break
            }
            all = all.dropFirst()
        }
        guard let first = all.first else { return true }
        // A variable set (`COUNT=$(…)`; what runs inside `$( … )` is read on its own) or a closing word.
        if first.contains("="), !first.hasPrefix("-") { return true }
        if first.hasSuffix(")") || first == ";;" { return true }
        let tool = (first as NSString).lastPathComponent
        let rest = Array(all.dropFirst())
        let flags = Set(rest.filter { $0.hasPrefix("-") }.map { String($0.split(separator: "=").first ?? "") })
        if formatters.contains(tool) { return !flags.isDisjoint(with: readingFlags) }
        // `find … -delete`, `find … -exec rm`: a reader told to act.
        if tool == "find", rest.contains(where: { ["-delete", "-exec", "-execdir", "-ok", "-fprint"].contains($0) }) {
            return false
        }
        if let fixing = fixingWords[tool],
            rest.contains(where: { fixing.contains(String($0.split(separator: "=").first ?? "")) })
        {
            return false
        }
        if readers.contains(tool) { return true }
        // `tool --version`, `tool version`, `tool --help`.
        if rest.count == 1, ["--version", "-v", "-V", "version", "--help", "-h", "help"].contains(rest[0]) {
            return true
        }
        // A script named for what it checks: `./scripts/verify-deploy.sh`, `python check_health.py`.
        let script =
            ["python", "python3", "node", "bash", "sh", "ruby", "php", "deno", "bun"].contains(tool)
            ? rest.first { !$0.hasPrefix("-") } : first
        if let script, scriptChecks(script) { return true }
        // `python -m pytest`, `python -m pip check`, `python manage.py check`.
        if ["python", "python3"].contains(tool), let module = rest.firstIndex(of: "-m"), module + 1 < rest.count {
            return knows(rest[(module + 1)...].joined(separator: " "))
        }
        if ["python", "python3"].contains(tool), rest.first.map({ $0.hasSuffix("manage.py") }) == true {
            return rest.dropFirst().first.map { ["check", "showmigrations", "test", "diffsettings"].contains($0) }
                ?? false || flags.contains("--check") || flags.contains("--dry-run")
        }
        if !flags.isDisjoint(with: readingFlags) { return true }
        // `git tag` and `git tag -l 'v*'` list; `git tag v1.2` is in `CommandRule.table`.
        if tool == "git", rest.first == "tag" { return true }
        // The subcommand path: `kubectl get pods`, `aws ec2 describe-instances`, `npm run lint`, `git log`.
        var path = rest.filter { !$0.hasPrefix("-") }.prefix(3)
        // `npm run build`, `yarn run lint`: the script's name is the subcommand; `mvn clean package`.
        if path.first == "run", ["npm", "yarn", "pnpm", "bun"].contains(tool) { path = path.dropFirst() }
        if path.first == "clean", ["mvn", "./mvnw", "gradle", "./gradlew", "make"].contains(tool) {
            path = path.dropFirst()
        }
        // A make target named for what it checks: `make migrate-status`, `make lint`.
        if tool == "make", let target = path.first, scriptChecks("./" + target) { return true }
        return path.enumerated().contains { index, word in
            let lower = word.lowercased()
            // `test:e2e`, `lint:fix`… by the word before the colon (`lint:fix` is refused by its own rule).
            let head = String(lower.split(separator: ":").first ?? "")
            let writes = lower.has("fix") || lower.has("write") || lower.has("format")
            // Set-up and build words count as the subcommand only (`npm ci`, not `git config … ci`),
            // and installing only for the project's own package managers (`npm install`, not
            // `asdf install nodejs 20`; the table's rules refuse named packages for those).
            if setUpWords.contains(head),
                index != 0 || installWords.contains(head) && !projectInstallers.contains(tool)
            {
                return false
            }
            return readingWords.contains(head) && !writes
                || [
                    "describe-", "list-", "get-", "show-", "check-", "test-", "lint-", "validate-", "verify-", "head-",
                    "describe_", "list_", "get_", "show_",
                ].contains { lower.hasPrefix($0) }
                || lower.hasSuffix(":status") || lower.hasSuffix(":info") || lower.hasSuffix(":check")
                || lower.hasSuffix(":test") || lower.hasSuffix(":lint")
        }
    }

    /// A script whose name says it checks: verify, check, test, lint, validate, smoke, health, status…
    static func scriptChecks(_ path: String) -> Bool {
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension.lowercased()
        guard path.hasPrefix("./") || path.hasPrefix("/") || path.contains("/") || path.contains(".") else {
            return false
        }
        return [
            "verify", "check", "test", "lint", "validate", "smoke", "health", "status", "audit", "scan", "probe",
            "ping",
            "list", "show", "get", "print", "report", "count",
        ].contains { name.hasPrefix($0) || name.hasSuffix($0) || name.has("-\($0)") || name.has("_\($0)") }
    }
}
