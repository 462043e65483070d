import Foundation
import ShipcheckCore

/// Which commands a check may never run: the one table. A check only reads the world and always
/// ends; a command that changes it, never ends by itself, or needs a person at a terminal becomes
/// an action (deploy and rollback phases) or a manual item with the command shown, with the
/// rule's reason. When unsure, not a check.
struct CommandRule: Sendable {
    enum Effect: Int, Comparable {
        /// Ordered by how a finding is reported: the most serious first.
        case neverEnds, prompts, changesState
        /// Not known to only read (`ReadOnlyCommands`): not a check until someone says it is.
        case unknown

        static func < (a: Effect, b: Effect) -> Bool { a.rawValue < b.rawValue }
    }

    /// A simple command's words (quotes removed), with tests used by the table.
    struct Words: Sendable {
        let text: String
        let all: [String]
        var tool: String { all.first ?? "" }
        /// Words after the tool that are not flags: the subcommand path (`compose up`, `logs`).
        var arguments: [String] { all.dropFirst().filter { !$0.hasPrefix("-") } }

        init(_ text: String) {
            self.text = text
            all = Self.droppingRunners(text.split(separator: " ").map { String($0).trimmingQuotes })
        }

        /// Runners in front of the tool that matters: `sudo -u postgres`, `env A=1`, `time`, `nice -n 5`,
        /// `npx`, `bunx`, `pnpm dlx`, `uv run`, `poetry run`, `bundle exec`, and `NAME=value` before it.
        static func droppingRunners(_ words: [String]) -> [String] {
            var rest = words[...]
            while let first = rest.first {
                if first.has("="), !first.hasPrefix("-"), !first.hasPrefix("\""), !first.hasPrefix("'") {
                    rest = rest.dropFirst()
                } else if ["sudo", "doas", "env", "time", "nice", "nohup", "exec", "command", "ionice"].contains(first)
                {
                    rest = rest.dropFirst()
                    while let flag = rest.first, flag.hasPrefix("-") {
                        rest = rest.dropFirst()
                        if ["-u", "-g", "-C", "-U", "-n", "-c"].contains(flag) { rest = rest.dropFirst() }
                    }
                } else if ["npx", "bunx", "pnpx", "uvx"].contains(first) {
                    rest = rest.dropFirst().drop { $0.hasPrefix("-") }
                } else if rest.count >= 2,
                    [
                        "pnpm dlx", "pnpm exec", "yarn dlx", "yarn exec", "bun x", "npm exec", "uv run", "poetry run",
                        "pipx run", "bundle exec", "pdm run", "hatch run", "rye run",
                    ].contains(first + " " + rest[rest.startIndex + 1])
                {
                    rest = rest.dropFirst(2).drop { $0.hasPrefix("-") }
                } else {
                    break
                }
            }
            return Array(rest)
        }

        func has(_ words: String...) -> Bool { all.dropFirst().contains { words.contains($0) } }
        /// A flag given alone or with a value (`--tail`, `--tail=100`), or inside a short group of
        /// letters (`-it`, `-tAc`, `-pi`; not `-owide`, which is `-o` with a value).
        func flag(_ names: String...) -> Bool {
            all.dropFirst().contains { word in
                names.contains { name in
                    word == name || word.hasPrefix(name + "=")
                        || name.count == 2 && Self.isShortGroup(word)
                            && word.contains(name.last ?? " ")
                }
            }
        }

        static func isShortGroup(_ word: String) -> Bool {
            word.hasPrefix("-") && !word.hasPrefix("--") && (3...5).contains(word.count)
                && word.dropFirst().allSatisfy(\.isLetter)
        }
        func sub(_ names: String...) -> Bool { arguments.first.map { names.contains($0) } ?? false }
        func sub2(_ first: String, _ names: String...) -> Bool {
            arguments.count >= 2 && arguments[0] == first && names.contains(arguments[1])
        }
    }

    let tools: Set<String>
    let effect: Effect
    let why: String
    let applies: @Sendable (Words) -> Bool

    init(
        _ tools: Set<String>, _ effect: Effect, _ why: String,
        when applies: @escaping @Sendable (Words) -> Bool = { _ in true }
    ) {
        self.tools = tools
        self.effect = effect
        self.why = why
        self.applies = applies
    }

    /// The first rule that holds for a simple command, most serious effect first.
    static func match(_ command: String) -> CommandRule? {
        let words = Words(command)
        let candidates = (byTool[words.tool] ?? []) + anyTool
        return candidates.filter { $0.applies(words) }.min { $0.effect < $1.effect }
    }

    private static let anyTool = table.filter { $0.tools.isEmpty }
    private static let byTool: [String: [CommandRule]] = {
        var rules: [String: [CommandRule]] = [:]
        for rule in table { for tool in rule.tools { rules[tool, default: []].append(rule) } }
        return rules
    }()

    static let table: [CommandRule] = neverEnding + interactive + stateChanging

    /// The reason of the migration rules, which the importer also reads: a migration the item calls
    /// local stays a check.
    static let migratesTheDatabase = "migrates the database"

    static let neverEnding: [CommandRule] = [
        CommandRule(["tail"], .neverEnds, "follows a file", when: { $0.flag("-f", "-F", "--follow") }),
        CommandRule(["watch", "top", "htop", "btop", "k9s", "glances"], .neverEnds, "redraws until stopped"),
        CommandRule(["argocd"], .neverEnds, "watches until stopped", when: { $0.sub2("app", "watch") }),
        CommandRule(
            ["fly", "flyctl", "cloud-sql-proxy", "cloud_sql_proxy"], .neverEnds, "proxies until stopped",
            when: { $0.sub("proxy") || $0.tool.hasPrefix("cloud") }),
        CommandRule(["doctl"], .prompts, "asks for a token", when: { $0.sub2("auth", "init") }),
        CommandRule(
            ["kubectl", "docker", "docker-compose", "podman", "oc", "stern"], .neverEnds, "follows logs",
            when: { $0.has("logs") && $0.flag("-f", "--follow") || $0.tool == "stern" }),
        CommandRule(["heroku"], .neverEnds, "streams logs", when: { $0.sub("logs") && $0.flag("-t", "--tail") }),
        CommandRule(["az"], .neverEnds, "streams logs", when: { $0.has("tail") && $0.has("log") }),
        CommandRule(["journalctl"], .neverEnds, "follows the journal", when: { $0.flag("-f", "--follow") }),
        CommandRule(["kubectl", "oc"], .neverEnds, "watches until stopped", when: { $0.flag("-w", "--watch") }),
        CommandRule(
            ["kubectl", "oc"], .neverEnds, "forwards a port until stopped", when: { $0.sub("port-forward", "proxy") }),
        CommandRule([], .neverEnds, "streams until stopped", when: { $0.flag("--stream", "--watch", "--follow") }),
        CommandRule(
            ["gunicorn", "uvicorn", "hypercorn", "daphne", "nginx", "caddy", "http-server", "serve"], .neverEnds,
            "starts a server in the foreground", when: { !$0.flag("-t", "--version", "-v", "-V", "--help") }),
        CommandRule(
            ["npm", "yarn", "pnpm", "bun"], .neverEnds, "starts a server in the foreground",
            when: { $0.sub("start", "dev", "serve", "preview") || $0.sub2("run", "start", "dev", "serve", "watch") }),
        CommandRule(
            ["flask", "rails"], .neverEnds, "starts a server in the foreground", when: { $0.sub("run", "server", "s") }),
        CommandRule(
            ["python", "python3"], .neverEnds, "starts a server in the foreground",
            when: {
                $0.text.has("manage.py runserver") || $0.text.has("-m http.server")
            }),
        CommandRule(["ping"], .neverEnds, "pings until stopped", when: { !$0.flag("-c", "-w") }),
        CommandRule(["minikube"], .neverEnds, "opens a dashboard", when: { $0.sub("dashboard") }),
        CommandRule(["open", "xdg-open"], .neverEnds, "opens a browser or a dashboard"),
    ]

    static let interactive: [CommandRule] = [
        CommandRule(
            [], .prompts, "has a placeholder to fill before it can run",
            when: {
                CommandRule.placeholder(in: $0.text) != nil
            }),
        CommandRule(
            [], .prompts, "opens an interactive terminal",
            when: {
                $0.flag("-it", "-ti")
                    || $0.flag("-i") && $0.flag("-t") && ["docker", "kubectl", "podman", "oc"].contains($0.tool)
            }),
        CommandRule(["ssh"], .prompts, "opens a remote shell", when: { $0.arguments.count <= 1 }),
        CommandRule(
            ["fly", "flyctl"], .prompts, "opens a remote console",
            when: { $0.sub("ssh") && !$0.flag("-C", "--command") }),
        CommandRule(
            ["read", "vim", "vi", "nano", "emacs", "less", "more", "passwd", "mc"], .prompts, "waits for a person"),
        CommandRule(
            ["gpg"], .prompts, "asks for a passphrase", when: { $0.flag("--symmetric", "-c") && !$0.flag("--batch") }),
        CommandRule(
            ["psql"], .prompts, "opens an interactive session",
            when: {
                !$0.flag("-c", "-f", "--command", "--file", "-l", "--list") && !$0.text.has("<")
            }),
        CommandRule(
            ["mysql"], .prompts, "opens an interactive session",
            when: { !$0.flag("-e", "--execute") && !$0.text.has("<") }),
        CommandRule(
            ["python", "python3", "node", "irb", "redis-cli", "mongo", "mongosh", "sqlite3", "bash", "sh", "zsh"],
            .prompts, "opens an interactive session", when: { $0.all.count == 1 }),
        CommandRule(
            [
                "docker", "npm", "heroku", "gh", "az", "gcloud", "firebase", "vercel", "fly", "flyctl", "aws", "podman",
                "helm",
            ],
            .prompts, "logs in interactively", when: { $0.has("login") && !$0.flag("--password-stdin", "--with-token") }
        ),
        CommandRule(
            ["rails", "flask", "python", "python3"], .prompts, "opens a console",
            when: {
                $0.has("console", "shell", "c") && $0.tool == "rails" || $0.has("shell")
                    || $0.text.has("manage.py shell")
            }),
    ]

    /// A project's own script named for what it changes (`./scripts/deploy-production.sh`,
    /// `bin/rollback`), unless its name also says it only looks (`pre-deploy-checks.sh`).
    static func scriptNamedForAChange(_ words: Words) -> Bool {
        var script = words.tool
        var arguments = Array(words.all.dropFirst())
        // `bash scripts/rollback.sh`, `python3 tools/migrate.py`: the script is the first argument.
        if ["bash", "sh", "zsh", "python", "python3", "node", "ruby", "perl"].contains(script),
            let first = arguments.first, !first.hasPrefix("-")
        {
            script = first
            arguments.removeFirst()
        }
        let name = (script as NSString).lastPathComponent.lowercased()
        guard script.has("/") || name.hasSuffix(".sh") || name.hasSuffix(".py") else { return false }
        // `./scripts/version-manager.sh bump minor`, `./release.sh tag 1.0.0`: the argument names the change.
        let verbs = [
            "bump", "tag", "release", "deploy", "push", "apply", "create", "delete", "set", "rollback", "up", "down",
        ]
        if let verb = arguments.first(where: { !$0.hasPrefix("-") }), verbs.contains(verb.lowercased()) { return true }
        let changes = [
            "deploy", "release", "rollback", "roll-back", "migrate", "publish", "promote", "restore", "provision",
            "teardown", "destroy", "cutover", "failover", "switchover", "install", "upgrade", "seed", "reset", "purge",
            "drop", "backup", "bootstrap", "setup", "start", "stop", "restart", "push", "upload", "ship", "cleanup",
            "clean-up", "docker-build", "build-image", "image-build",
        ]
        let looks = [
            "check", "verify", "validate", "test", "status", "smoke", "health", "lint", "audit", "dry-run", "list",
            "show", "report", "monitor", "inspect",
        ]
        return changes.contains { name.contains($0) } && !looks.contains { name.contains($0) }
    }

    /// `node -e "…prisma.user.update(…)"`, `python -c "…open(f, 'w')…"`: inline code that writes.
    static func inlineCodeThatWrites(_ words: Words) -> Bool {
        guard words.flag("-e", "-c", "--eval"), let flagIndex = words.text.range(of: " -") else { return false }
        let code = words.text[flagIndex.upperBound...].lowercased()
        return [
            "update", "create", "delete", "insert", "upsert", "save", "write", "remove", "drop", "truncate", "reset",
            "unlink", "rmtree", "mkdir", "rename", "send", "post(", "put(",
        ].contains { code.contains($0) }
    }

    static let stateChanging: [CommandRule] = [
        CommandRule(
            ["node", "python", "python3", "ruby", "perl", "deno", "bun", "php"], .changesState,
            "runs inline code that writes", when: inlineCodeThatWrites),
        CommandRule(
            ["mvn", "./mvnw", "gradle", "./gradlew"], .changesState, "builds and publishes images",
            when: { words in
                words.all.dropFirst().contains {
                    ["spring-boot:build-image", "jib:build", "jib:dockerBuild", "bootBuildImage", "jib", "deploy"]
                        .contains($0)
                }
            }),
        CommandRule([], .changesState, "is a script named for a change it makes", when: scriptNamedForAChange),
        CommandRule(
            ["git"], .changesState, "changes the repository or its remote",
            when: {
                $0.sub(
                    "push", "merge", "commit", "revert", "reset", "rebase", "checkout", "switch", "cherry-pick", "pull",
                    "am", "apply", "stash", "clean", "rm", "mv")
                    || $0.sub("tag") && $0.arguments.count >= 2 && !$0.flag("-l", "--list")
                    || $0.sub("branch") && $0.flag("-d", "-D", "-m", "-M")
            }),
        CommandRule(
            ["kubectl", "oc"], .changesState, "changes the cluster",
            when: {
                $0.sub(
                    "apply", "create", "delete", "rollout", "scale", "set", "patch", "edit", "replace", "annotate",
                    "label", "drain", "cordon", "uncordon", "taint", "expose", "run", "autoscale", "cp", "exec")
                    && !$0.sub2("rollout", "status", "history")
            }),
        CommandRule(
            ["helm"], .changesState, "changes releases in the cluster",
            when: {
                $0.sub("install", "upgrade", "rollback", "uninstall", "delete", "push", "repo")
                    && !$0.sub2("repo", "list")
            }),
        CommandRule(
            ["docker", "podman"], .changesState, "changes containers or images",
            when: {
                $0.sub(
                    "push", "stop", "rm", "rmi", "restart", "kill", "run", "build", "tag", "start", "exec", "create",
                    "pull", "prune", "load", "import", "commit", "cp")
                    || $0.sub("compose")
                        && $0.has(
                            "up", "down", "restart", "stop", "rm", "pull", "build", "push", "run", "exec", "start",
                            "create", "kill")
                    || $0.sub2("image", "push", "build", "rm", "prune", "tag") || $0.sub2("system", "prune")
                    || $0.sub2("buildx", "build", "bake") || $0.sub2("volume", "rm", "prune", "create")
                    || $0.sub2("network", "rm", "prune", "create")
            }),
        CommandRule(
            ["docker-compose"], .changesState, "changes containers",
            when: {
                $0.has("up", "down", "restart", "stop", "rm", "pull", "build", "push", "run", "exec", "start", "kill")
            }),
        CommandRule(
            ["terraform", "tofu", "terragrunt"], .changesState, "changes infrastructure",
            when: {
                $0.sub("apply", "destroy", "import", "taint", "untaint") || $0.sub2("state", "rm", "mv", "push")
            }),
        CommandRule(
            ["pulumi"], .changesState, "changes infrastructure", when: { $0.sub("up", "destroy", "refresh", "import") }),
        CommandRule(
            ["systemctl", "service", "launchctl"], .changesState, "starts, stops or reconfigures a service",
            when: {
                $0.has("start", "stop", "restart", "reload", "enable", "disable", "kill", "mask", "load", "unload")
            }),
        CommandRule(
            ["pm2", "supervisorctl"], .changesState, "starts or stops processes",
            when: {
                $0.sub("start", "stop", "restart", "reload", "delete", "kill")
            }),
        CommandRule(
            ["npm", "pnpm", "yarn"], .changesState, "publishes a package",
            when: {
                $0.sub("publish", "unpublish", "deprecate", "version", "dist-tag")
            }),
        CommandRule(["cargo"], .changesState, "publishes a crate", when: { $0.sub("publish", "yank") }),
        CommandRule(
            ["twine", "goreleaser"], .changesState, "publishes a release", when: { $0.sub("upload", "release") }),
        CommandRule(
            ["gh"], .changesState, "changes GitHub",
            when: {
                $0.sub2("release", "create", "delete", "edit", "upload")
                    || $0.sub2("pr", "merge", "create", "close", "edit")
                    || $0.sub2("workflow", "run", "enable", "disable") || $0.sub2("repo", "create", "delete", "edit")
                    || $0.sub2("secret", "set", "delete")
            }),
        CommandRule(
            ["heroku"], .changesState, "changes the app's add-ons, buildpacks or settings",
            when: { words in
                guard let sub = words.arguments.first, let colon = sub.firstIndex(of: ":") else { return false }
                let verb = sub[sub.index(after: colon)...].split(separator: ":").first.map(String.init) ?? ""
                return [
                    "add", "create", "set", "unset", "destroy", "remove", "attach", "detach", "enable", "disable",
                    "promote", "reset", "push", "release", "rollback", "restart", "scale", "upgrade", "capture",
                    "restore", "rename", "transfer", "clear", "update", "wait",
                ].contains(verb) || sub.hasPrefix("addons:") && verb.isEmpty == false && verb != "info"
            }),
        CommandRule(
            ["pip", "pip3", "pipx", "gem", "composer", "cargo", "go", "poetry", "uv", "conda", "mamba"],
            .changesState, "installs or removes packages",
            when: { words in
                switch words.tool {
                case "pip", "pip3":
                    // `pip install -r requirements.txt` and `pip install -e .` set up the project itself.
                    if words.sub("uninstall") { return true }
                    guard words.sub("install") else { return false }
                    return words.arguments.dropFirst().contains { $0 != "." } && !words.flag("-r", "--requirement")
                case "pipx", "gem", "cargo", "go": return words.sub("install", "uninstall")
                case "composer": return words.sub("require", "remove", "global")
                case "poetry", "uv": return words.sub("add", "remove") || words.sub2("pip", "install", "uninstall")
                default: return words.sub("install", "remove", "create", "update")
                }
            }),
        CommandRule(
            ["npm", "pnpm", "yarn", "bun"], .changesState, "adds, removes or installs packages globally",
            when: { words in
                if words.sub("add", "remove", "uninstall", "rm", "update", "upgrade", "link", "unlink") { return true }
                // `npm install` alone (or `npm ci`) installs the project's own lockfile: set-up, not a change.
                guard words.sub("install", "i") else { return false }
                return words.flag("-g", "--global") || words.arguments.count > 1
            }),
        CommandRule(
            ["python", "python3"], .changesState, "installs or removes packages",
            when: {
                $0.all.dropFirst().starts(with: ["-m", "pip"])
                    && ($0.has("uninstall") || $0.has("install") && !$0.flag("-r"))
            }),
        CommandRule(
            ["minikube", "kind", "k3d"], .changesState, "changes the local cluster",
            when: {
                $0.sub("start", "stop", "delete", "create", "load", "addons", "image", "pause", "unpause")
                    && !$0.sub2("image", "ls", "list")
            }),
        CommandRule(
            ["heroku"], .changesState, "changes the app",
            when: {
                $0.sub(
                    "releases:rollback", "config:set", "config:unset", "ps:scale", "ps:restart", "restart", "run",
                    "pg:backups:capture", "pg:reset", "maintenance:on", "maintenance:off", "rollback", "container:push",
                    "container:release", "pg:promote", "scale")
            }),
        CommandRule(
            ["flask"], .changesState, CommandRule.migratesTheDatabase,
            // `flask db upgrade`, `flask --app app db upgrade` (the option's value is a word too).
            when: { words in
                let arguments = words.arguments
                guard let db = arguments.firstIndex(of: "db"), db + 1 < arguments.count else { return false }
                return ["upgrade", "downgrade", "migrate", "stamp"].contains(arguments[db + 1])
            }),
        CommandRule(
            ["alembic", "liquibase", "flyway", "sqitch", "dbmate", "goose", "migrate"], .changesState,
            CommandRule.migratesTheDatabase,
            when: {
                $0.sub(
                    "upgrade", "downgrade", "stamp", "update", "rollback", "migrate", "undo", "clean", "deploy",
                    "revert", "up", "down", "repair", "baseline", "drop")
            }),
        CommandRule(
            [], .changesState, CommandRule.migratesTheDatabase,
            when: {
                $0.text.has("manage.py migrate") || $0.text.has("db:migrate")
                    || $0.text.has("db:rollback")
                    || $0.text.has("prisma migrate deploy") || $0.text.has("prisma db push")
                    || $0.text.has("ef database update") || $0.text.has("knex migrate")
                    || $0.text.has("sequelize db:")
            }),
        CommandRule(
            ["supabase"], .changesState, "changes the project",
            when: { $0.sub("db", "functions", "deploy", "secrets") && !$0.sub2("db", "diff", "lint") }),
        CommandRule(
            [
                "wrangler", "vercel", "netlify", "fly", "flyctl", "railway", "firebase", "serverless", "sls", "eb",
                "cf", "amplify",
            ],
            .changesState, "deploys or reconfigures a service",
            when: {
                $0.sub(
                    "deploy", "publish", "secret", "secrets", "promote", "rollback", "up", "redeploy", "scale",
                    "remove", "destroy", "alias") || $0.flag("--prod")
            }),
        CommandRule(
            ["aws"], .changesState, "changes cloud resources",
            when: { words in
                let action = words.arguments.dropFirst().first ?? ""
                return [
                    "create", "delete", "put", "update", "modify", "start", "stop", "terminate", "reboot", "run",
                    "deploy", "invoke", "register", "deregister", "attach", "detach", "restore", "cp", "mv", "rm",
                    "sync",
                    "tag", "untag", "publish", "send", "apply", "execute", "rotate", "reset", "set", "enable",
                    "disable", "change", "associate", "disassociate", "import", "copy", "upload", "accept", "reject",
                    "revoke", "authorize", "cancel", "replace", "schedule", "add", "remove", "promote", "failover",
                ]
                .contains { action.hasPrefix($0) }
            }),
        CommandRule(
            ["gcloud", "az"], .changesState, "changes cloud resources",
            when: { words in
                let verbs = [
                    "create", "delete", "deploy", "update", "set", "start", "stop", "restart", "reset", "apply", "add",
                    "remove", "import", "promote", "rollback", "swap", "cp", "mv", "rm", "failover", "resize", "scale",
                ]
                // `update-traffic`, `add-iam-policy-binding`, `set-value`: the verb leads the word.
                return words.arguments.contains { argument in
                    verbs.contains { argument == $0 || argument.hasPrefix($0 + "-") }
                }
            }),
        CommandRule(
            ["gsutil"], .changesState, "changes storage", when: { $0.sub("cp", "mv", "rm", "rsync", "setmeta", "acl") }),
        CommandRule(
            ["doctl"], .changesState, "changes cloud resources or the local credentials",
            when: { words in
                words.arguments.contains {
                    ["create", "delete", "update", "login", "save", "apply", "deploy", "resize", "upgrade"]
                        .contains($0)
                }
            }),
        CommandRule(
            ["argocd"], .changesState, "changes the cluster",
            when: { $0.sub2("app", "sync", "rollback", "delete", "set", "create") }),
        CommandRule(
            ["ansible-playbook", "ansible"], .changesState, "configures hosts",
            when: { !$0.flag("--check", "--syntax-check", "--list-hosts", "-C") }),
        CommandRule(["ssh"], .changesState, "runs a command on another host", when: { $0.arguments.count >= 2 }),
        CommandRule(
            ["fly", "flyctl"], .changesState, "runs a command on another host",
            when: { $0.sub("ssh") && $0.flag("-C", "--command") }),
        CommandRule(
            ["scp", "rsync", "sftp", "pg_restore", "dropdb", "createdb", "mongorestore", "redis-server", "mysqladmin"],
            .changesState, "copies, restores or changes data"),
        CommandRule(
            ["pg_dump", "pg_dumpall", "mysqldump", "mongodump", "pg_basebackup"], .changesState,
            "writes a backup (an action of its own: the rollback relies on it)"),
        CommandRule(
            ["psql", "mysql", "sqlite3", "cqlsh", "mongosh", "mongo"], .changesState, "changes the database",
            when: { words in
                let upper = words.text.uppercased()
                return [
                    "INSERT ", "UPDATE ", "DELETE ", "DROP ", "ALTER ", "CREATE ", "TRUNCATE ", "GRANT ", "REVOKE ",
                    "VACUUM", "REINDEX", "COPY ",
                ].contains { upper.contains($0) } || words.flag("-f", "--file")
            }),
        CommandRule(
            ["redis-cli"], .changesState, "changes the data store",
            when: { words in
                words.all.dropFirst().contains {
                    [
                        "SET", "DEL", "FLUSHALL", "FLUSHDB", "SHUTDOWN", "EXPIRE", "HSET", "LPUSH", "RPUSH", "SADD",
                        "INCR",
                    ]
                    .contains($0.uppercased())
                }
            }),
        CommandRule(
            ["curl", "http", "httpie", "wget"], .changesState, "sends a request that changes something",
            when: { words in
                if words.tool == "wget" {
                    // Without --spider or -O- (standard output), wget writes the page to a file.
                    let toStandardOutput =
                        words.text.has("-O -")
                        || words.all.contains {
                            $0 == "-O-" || $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.hasSuffix("O-")
                        }
                    return !(words.flag("--spider") || toStandardOutput) || words.flag("--post-data", "--method")
                }
                if words.tool == "http" || words.tool == "httpie" {
                    return words.has("POST", "PUT", "PATCH", "DELETE", "post", "put", "patch", "delete")
                }
                // `-X POST`, `--request POST`, `-XPOST`, `--request=POST`.
                var method: String?
                for (index, word) in words.all.enumerated() {
                    if word == "-X" || word == "--request", words.all.indices.contains(index + 1) {
                        method = words.all[index + 1].uppercased()
                    } else if word.hasPrefix("-X") || word.hasPrefix("--request=") {
                        method = String(word.dropFirst(word.hasPrefix("-X") ? 2 : 10)).uppercased()
                    }
                }
                if let method { return method != "GET" && method != "HEAD" }
                return words.flag(
                    "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "-F", "--form", "-T",
                    "--upload-file", "--json")
            }),
        CommandRule(
            ["sed", "perl"], .changesState, "edits files in place",
            when: { words in
                words.flag("-i", "--in-place") || words.all.contains { $0.hasPrefix("-i.") }
            }),
        CommandRule(
            [
                "rm", "mv", "cp", "mkdir", "rmdir", "chmod", "chown", "chgrp", "ln", "touch", "truncate", "dd", "shred",
                "install", "unlink", "tar", "unzip", "patch",
            ],
            .changesState, "creates, moves or deletes files",
            when: { words in
                words.tool != "tar" || words.flag("-x", "-c", "--extract", "--create")
                    || words.all.dropFirst().first.map { !$0.hasPrefix("-") && ($0.has("x") || $0.has("c")) }
                        == true
            }),
        CommandRule(
            ["tee"], .changesState, "writes a file",
            when: { $0.arguments.contains { $0 != "/dev/null" && $0 != "/dev/stderr" && $0 != "/dev/stdout" } }),
        CommandRule([], .changesState, "writes a file with `>`", when: { CommandRule.redirectsIntoAFile($0.text) }),
        CommandRule(
            [
                "kill", "pkill", "killall", "reboot", "shutdown", "halt", "crontab", "useradd", "userdel", "usermod",
                "iptables", "ufw", "certbot", "apt", "apt-get", "yum", "dnf", "brew", "snap",
            ],
            .changesState, "changes the machine",
            when: { words in
                !["apt", "apt-get", "yum", "dnf", "brew", "snap"].contains(words.tool)
                    || words.sub(
                        "install", "remove", "upgrade", "update", "purge", "autoremove", "uninstall", "reinstall")
            }),
        CommandRule(
            ["make"], .changesState, "runs a make target that deploys, releases or changes state",
            when: {
                $0.sub(
                    "deploy", "release", "publish", "push", "install", "migrate", "rollback", "clean", "up", "down",
                    "destroy", "apply")
            }),
        CommandRule(
            ["crane", "skopeo", "buildah", "kaniko", "ko", "pack", "nerdctl"], .changesState,
            "builds or publishes images",
            when: {
                $0.sub("push", "copy", "build", "bud", "apply", "publish", "tag", "delete", "sync")
            }),
        CommandRule(
            ["vault"], .changesState, "changes secrets",
            when: { $0.sub("write", "delete", "put", "patch", "kv") && !$0.sub2("kv", "get", "list") }),
        CommandRule(
            ["consul", "etcdctl"], .changesState, "changes configuration",
            when: { $0.has("put", "delete", "del", "kv") && !$0.has("get") }),
    ]

    /// A stand-in for a value the reader must supply: `<hash>`, `YOUR_ACCOUNT_ID`, `your-bucket`,
    /// `example.com`, `...`, `XXX`.
    static func placeholder(in command: String) -> String? {
        // Most commands hold none of the marks: a byte scan first, before any word is split.
        guard
            command.hasAny([
                "<", "...", "…", "XXX", "YOUR", "your", "Your", "xample.", "XAMPLE.",
            ])
        else { return nil }
        for word in command.split(separator: " ").map({ String($0).trimmingQuotes }) {
            if word == "..." || word == "…" || word.count >= 3 && word.allSatisfy({ $0 == "X" }) { return word }
            if let open = word.firstIndex(of: "<"), let close = word[open...].firstIndex(of: ">"),
                word.index(after: open) < close, word[word.index(after: open)].isLetter,
                word[word.index(after: open)..<close].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
            {
                return String(word[open...close])
            }
            for part in word.split(whereSeparator: { "/@:=".contains($0) }).map(String.init) {
                let lower = part.lowercased()
                if part.hasPrefix("YOUR_") || lower.hasPrefix("your-") || lower.hasPrefix("your_") { return part }
                if lower == "example.com" || lower.hasSuffix(".example.com") || lower == "example.org" { return part }
            }
        }
        return nil
    }

    /// `> file` or `>> file` outside quotes, other than into /dev/null or a standard stream.
    static func redirectsIntoAFile(_ command: String) -> Bool {
        var quote: Character?
        var index = command.startIndex
        while index < command.endIndex {
            let character = command[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == ">" {
                var rest = command[command.index(after: index)...]
                if rest.first == ">" { rest = rest.dropFirst() }
                if rest.first == "&" || rest.first == "(" {
                    index = command.index(after: index)
                    continue
                }
                let target = rest.drop(while: { $0 == " " }).prefix(while: { $0 != " " && $0 != ";" && $0 != "|" })
                if !target.isEmpty, !["/dev/null", "/dev/stderr", "/dev/stdout"].contains(String(target)) {
                    return true
                }
            }
            index = command.index(after: index)
        }
        return false
    }
}

extension String {
    /// Without the quotes around a shell word (`"$URL"` → `$URL`), by scalars: every word of every
    /// command passes here.
    var trimmingQuotes: String {
        trimmingScalars { $0 == "\"" || $0 == "'" }
    }
}
