import Foundation

/// The JSON Schema of `shipcheck.yml`, built from the same field lists the loader checks,
/// so that editors' YAML language servers and the loader agree.
public enum ConfigSchema {
    public static let commonItemParameters: [Parameter] = [
        Parameter("id", .string, "Unique id (letters, digits, -, _ and .); derived from the title when absent."),
        Parameter("title", .string, "What the item checks, as the checklist says it."),
        Parameter("description", .string, "Longer text: sub-points, how to verify by hand."),
        Parameter("needs", .oneOf([.string, .list(.string)]), "Items of the same phase that must pass first."),
        Parameter(
            "when", .expression, "Run only when this holds; reads env, type, phase, vars.NAME and changed(\"glob\")."),
        Parameter(
            "timeout", .duration, "Longest time one attempt may take (default 10m); its processes are ended after it."),
        Parameter("retries", .integer, "Further attempts after a fail or error (default 0)."),
        Parameter("retry-delay", .duration, "Delay before the first retry, doubled for each next one (default 5s)."),
        Parameter("severity", .string, "`block` (default): a failure fails the gate; `warn`: it is reported only."),
        Parameter(
            "expect", .oneOf([.expression, .list(.expression)]), "Expectations over the item's facts; all must hold."),
        Parameter("manual", .boolean, "A manual item: resolved by sign-offs from people."),
        Parameter(
            "signoffs",
            .object([
                Parameter("count", .integer, "How many sign-offs (default 1)."),
                Parameter("distinct", .boolean, "Each from a different person (default true)."),
                Parameter("role", .string, "The role signers must hold, from `roles:`."),
                Parameter("expires", .duration, "How long a sign-off counts, e.g. 24h (default: for its commit)."),
                Parameter(
                    "not", .list(.string),
                    "Who may not sign: `deployer` (whoever runs the gate), `author` (the commit's author): no self-approval."
                ),
                Parameter(
                    "any-of",
                    .list(
                        .object([
                            Parameter("count", .integer, "How many sign-offs (default 1)."),
                            Parameter("distinct", .boolean, "Each from a different person (default true)."),
                            Parameter("role", .string, "The role signers must hold, from `roles:`."),
                        ])),
                    "Ways to sign it off, any one of which suffices: `[{ count: 2, role: engineer }, { count: 1, role: cto }]` (instead of count/role)."
                ),
                Parameter(
                    "carry", .string,
                    "`same-commit`: a sign-off given for the commit in another environment (staging) counts here too; `environment` (default): only this environment's."
                ),
            ]), "Who must sign off a manual item."),
        Parameter("rollback", .template, "The command that undoes this item, for the deploy pipeline."),
        Parameter("action", .boolean, "The item changes the world (backup, migrate, deploy) instead of observing it."),
        Parameter(
            "idempotent", .boolean,
            "An action that may run again after being cut off halfway: `shipcheck deploy --resume` reruns it without asking."
        ),
        Parameter(
            "source", .string, "Where an imported item came from, `FILE.md:LINE`; the Markdown export ticks it there."),
        Parameter(
            "inputs",
            .object([
                Parameter(
                    "paths", .list(.string), "Globs of the files the result depends on (`app/**`, `requirements.txt`)."),
                Parameter("env", .list(.string), "Environment variables the result depends on."),
                Parameter(
                    "commands", .list(.string), "Commands whose output is part of the key, such as `python3 --version`."
                ),
            ]),
            "What the result depends on: a later run with the same definition and inputs reuses a passing result instead of running again (--no-reuse turns it off)."
        ),
        Parameter("reuse-ttl", .duration, "How long a passing result may be reused (default 24h)."),
        Parameter(
            "reuse", .boolean,
            "`true` lets a live probe (http, tcp, dns, postgres…) reuse its result; `false` never reuses."),
    ]

    public static let triggerParameters: [Parameter] = [
        Parameter("title", .string, "What the trigger watches for.", required: true),
        Parameter("priority", .string, "Its priority, such as P0 or P1."),
        Parameter(
            "when", .expression,
            "A condition over the watch probes' facts, such as `traffic.error_rate > 5%` or `data.rows < baseline.data.rows` (`baseline.` reads the median before the deploy)."
        ),
        Parameter(
            "above-baseline",
            .object([
                Parameter("fact", .string, "A watch probe's fact, such as health.latency.p50.", required: true),
                Parameter("by", .string, "How much larger than the baseline counts, such as 50%.", required: true),
            ]),
            "Fires when the fact's samples during the watch are larger than its baseline samples grown by `by`, judged with a one-sided Mann-Whitney U test at the watch's confidence."
        ),
        Parameter("manual", .boolean, "A person judges this trigger (no condition)."),
        Parameter("action", .string, "rollback (default), notify, or ask (a person at the terminal decides)."),
        Parameter("otherwise", .string, "What `action: ask` does without a terminal: rollback (default) or notify."),
        Parameter("description", .string, "Longer text."),
    ]

    public static let watchParameters: [Parameter] = [
        Parameter("for", .duration, "How long a deploy watches the service after it changed it (default 15m)."),
        Parameter("interval", .duration, "Time between samples (default 30s)."),
        Parameter("baseline", .integer, "Samples taken before the deploy changes anything (default 10)."),
        Parameter(
            "tolerate", .integer,
            "Consecutive samples a probe may fail to measure before the triggers reading it count it as failing (default 4)."
        ),
        Parameter("confidence", .string, "The confidence of `above-baseline` judgements (default 95%)."),
        Parameter("min-samples", .integer, "Samples an `above-baseline` trigger needs before it judges (default 5)."),
        Parameter(
            "freeze-after", .integer,
            "Automatic rollbacks in a row after which the environment is frozen until a bypass role unfreezes it (default 3)."
        ),
    ]

    public static let notifyParameters: [Parameter] = [
        Parameter(
            "slack", .template,
            "A Slack-compatible incoming webhook URL (keep it secret: `${{ env.SLACK_WEBHOOK_URL }}`); receives `{\"text\": …}`."
        ),
        Parameter(
            "webhook", .template,
            "A URL that receives each event as JSON, signed: `X-Shipcheck-Timestamp` and `X-Shipcheck-Signature: v1=HEX`, the HMAC-SHA256 under `secret` of `v1:TIMESTAMP:BODY`."
        ),
        Parameter("secret", .template, "The webhook's signing key, e.g. `${{ env.DEPLOY_WEBHOOK_SECRET }}`."),
        Parameter(
            "on", .list(.string),
            "The events it receives (default all): \(NotifyTarget.events.joined(separator: ", "))."),
    ]

    public static let windowParameters: [Parameter] = [
        Parameter("name", .string, "What the window is called in messages.", required: true),
        Parameter("env", .oneOf([.string, .list(.string)]), "Environments it governs (default every one)."),
        Parameter("type", .oneOf([.string, .list(.string)]), "Deploy types it governs (default every one)."),
        Parameter(
            "days", .oneOf([.string, .list(.string)]),
            "Week days: `mon-fri`, `mon,wed,fri`, a list, or `every day` (the default).", required: false),
        Parameter("hours", .string, "Local start and end, end excluded: `10:00-16:00`.", required: true),
        Parameter("timezone", .string, "IANA time zone (default the top-level `timezone:`)."),
        Parameter(
            "runway", .duration,
            "How long a deploy takes: one that would not finish before the window closes does not start."),
    ]

    public static let freezeParameters: [Parameter] = [
        Parameter("name", .string, "What the freeze is called in messages.", required: true),
        Parameter("from", .string, "First frozen day: YYYY-MM-DD once, or MM-DD every year.", required: true),
        Parameter("to", .string, "Last frozen day, included, in the same form.", required: true),
        Parameter("reason", .string, "Why nothing deploys, shown to whoever tries.", required: true),
        Parameter("env", .oneOf([.string, .list(.string)]), "Environments it freezes (default every one)."),
        Parameter("timezone", .string, "IANA time zone of its days (default the top-level `timezone:`)."),
    ]

    public static let topLevelParameters: [Parameter] = [
        Parameter("version", .integer, "Format version: 1.", required: true),
        Parameter("project", .string, "Project name shown in reports."),
        Parameter(
            "store", .string,
            "Where runs are recorded: an SQLite file (default `.shipcheck/shipcheck.db` beside this file) or `postgres://USER@HOST:PORT/DATABASE` for a team (the password from SHIPCHECK_STORE_PASSWORD or PGPASSWORD, never here). --store and SHIPCHECK_STORE override it."
        ),
        Parameter(
            "max-bypass", .duration,
            "How far ahead a waiver, an override or an emergency freeze may end (default 366d): a decision meant for a day cannot be made to last for years."
        ),
        Parameter(
            "vars", .map(.string),
            "Variables, referenced as ${{ vars.NAME }}. A value may read the environment, e.g. `BASE_URL: ${{ env.MINA_BASE_URL }}`, with a value for when it is unset: `${{ env.BASE_URL || 'https://example.org' }}`; a variable whose environment variable is unset (with no such value) is an error where it is used."
        ),
        Parameter("secrets", .list(.string), "Environment variables whose values are redacted everywhere."),
        Parameter(
            "oidc",
            .object([
                Parameter(
                    "issuer", .string,
                    "The issuer whose ID tokens are trusted (default GitHub Actions' or GitLab's own, in their CI)."),
                Parameter("audience", .string, "The audience the token must be meant for (default `shipcheck`)."),
            ]),
            "Whose CI ID tokens name who runs a gate with `--identity oidc`: the token's signature (the issuer's published keys), issuer, audience and expiry are verified, and its repository, workflow, ref and run name the actor."
        ),
        Parameter(
            "allowed-signers", .string,
            "Who may sign decisions: a file in git's allowed_signers format (`principal keytype key`), relative to this file (default `.shipcheck/allowed_signers` when it exists). Sign-offs, waivers, overrides and freezes are signed with `ssh-keygen -Y sign -n shipcheck` and verified against it whenever they are read."
        ),
        Parameter(
            "environments",
            .map(
                .object([
                    Parameter("description", .string, "What this environment is."),
                    Parameter("vars", .map(.string), "Variables that override the top-level ones."),
                    Parameter("skip", .list(.string), "Items this environment does not run."),
                    Parameter(
                        "bypass", .list(.string),
                        "Roles whose members may bypass this environment's rules: end an emergency freeze, waive an item."
                    ),
                    Parameter(
                        "identity", .string,
                        "`signed`: only sign-offs, waivers, overrides and ends of freezes signed with a key allowed_signers lists for their author count here; `claimed` (default): unsigned ones count too, shown as claimed."
                    ),
                    Parameter(
                        "require", .string,
                        "`all`: every item runs here; the environment skips none and `--skip` is refused (a recorded waiver is the only way out)."
                    ),
                ])), "Deployment environments, selected with --env."),
        Parameter(
            "types",
            .map(
                .object([
                    Parameter("description", .string, "What this deploy type is for."),
                    Parameter(
                        "only", .list(.string),
                        "Items, section titles or phases this type runs; in each phase where it names any, the rest are skipped by the type."
                    ),
                    Parameter("skip", .list(.string), "Items, section titles or phases this type does not run."),
                ])), "Deploy types, selected with --type; every item a type leaves out is listed in every report."),
        Parameter("roles", .map(.list(.string)), "Roles and the people who hold them."),
        Parameter(
            "defaults",
            .object([
                Parameter("timeout", .duration, "Default item timeout."),
                Parameter("retries", .integer, "Default retries."),
                Parameter("retry-delay", .duration, "Default first retry delay."),
            ]), "Defaults for every item."),
        Parameter(
            "include", .oneOf([.string, .list(.string)]), "Other files whose phases, vars and roles join this one."),
        Parameter(
            "triggers", .list(.object(triggerParameters)), "Rollback triggers: conditions that roll a deploy back."),
        Parameter(
            "watch", .object(watchParameters),
            "How `shipcheck deploy` watches the service: the watch phase's probes, sampled before and after the change, judged by `triggers:`."
        ),
        Parameter(
            "deployment-log", .string,
            "A Markdown file every deploy and rollback appends its entry to, in the seed's format (Deployed by, Duration, Issues, Rollback, Notes), e.g. `docs/DEPLOYMENTS.md`."
        ),
        Parameter(
            "notify", .list(.object(notifyParameters)),
            "Where deploy events go (deploy started, refused, finished; a failed pre-deploy gate; a rollback), retried with backoff; a failing one never fails a deploy."
        ),
        Parameter(
            "timezone", .string,
            "The IANA time zone of windows and freezes that name none, e.g. America/Los_Angeles (default UTC)."),
        Parameter(
            "windows", .list(.object(windowParameters)),
            "When deploys may start, per environment and type; where no window applies, any time is open."),
        Parameter(
            "freezes", .list(.object(freezeParameters)),
            "Days when no deploy starts: once (YYYY-MM-DD) or every year (MM-DD), each with a reason."),
        Parameter(
            "phases", .object([]),
            "pre-deploy, deploy, watch, post-deploy, rollback: each with sections of items (watch: the probes a deploy samples)."
        ),
    ]

    /// The schema as pretty-printed JSON.
    public static func json(kinds: [KindDescription]) -> String {
        let item = itemSchema(kinds: kinds)
        let section: [String: Any] = [
            "type": "object", "additionalProperties": false, "required": ["items"],
            "properties": [
                "title": ["type": "string"], "items": ["type": "array", "items": ["$ref": "#/$defs/item"]],
            ],
        ]
        let phase: [String: Any] = [
            "type": "object", "additionalProperties": false,
            "properties": [
                "sections": ["type": "array", "items": ["$ref": "#/$defs/section"]],
                "items": ["type": "array", "items": ["$ref": "#/$defs/item"]],
            ],
        ]
        var top = object(topLevelParameters)
        var properties = top["properties"] as? [String: Any] ?? [:]
        properties["phases"] = [
            "type": "object", "additionalProperties": false,
            "description": "The phases of a deployment.",
            "properties": Dictionary(
                uniqueKeysWithValues: PhaseName.allCases.map { ($0.rawValue, ["$ref": "#/$defs/phase"]) }),
        ]
        top["properties"] = properties
        top["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        top["title"] = "Shipcheck configuration"
        top["$defs"] = ["item": item, "section": section, "phase": phase]
        let data =
            (try? JSONSerialization.data(
                withJSONObject: top, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func itemSchema(kinds: [KindDescription]) -> [String: Any] {
        var parameters = commonItemParameters
        for kind in kinds {
            for parameter in kind.parameters where !parameters.contains(where: { $0.name == parameter.name }) {
                parameters.append(parameter)
            }
        }
        var schema = object(parameters)
        // Each kind's key is "required" within its own description; an item holds one of them, or is
        // manual, and has a title or an id.
        schema["required"] = nil
        schema["allOf"] = [
            ["anyOf": kinds.map { ["required": [$0.key]] } + [["required": ["manual"]]]],
            ["anyOf": [["required": ["title"]], ["required": ["id"]]]],
        ]
        return schema
    }

    static func object(_ parameters: [Parameter]) -> [String: Any] {
        var properties: [String: Any] = [:]
        for parameter in parameters {
            var schema = type(parameter.type)
            schema["description"] = parameter.summary
            properties[parameter.name] = schema
        }
        var result: [String: Any] = ["type": "object", "additionalProperties": false, "properties": properties]
        let required = parameters.filter(\.required).map(\.name)
        if !required.isEmpty { result["required"] = required }
        return result
    }

    static func type(_ type: ParameterType) -> [String: Any] {
        switch type {
        case .string, .template: ["type": "string"]
        case .expression: ["type": "string", "description": "An expression such as `exit == 0`."]
        case .duration: ["type": "string", "pattern": "^([0-9.]+(ms|s|m|h|d))+$"]
        case .integer: ["type": "integer"]
        case .number: ["type": "number"]
        case .size:
            [
                "oneOf": [
                    ["type": "integer", "minimum": 0],
                    ["type": "string", "pattern": "^[0-9.]+ *(B|KB|MB|GB|KiB|MiB|GiB)?$"],
                ]
            ]
        case .boolean: ["type": "boolean"]
        case .list(let element): ["type": "array", "items": Self.type(element)]
        case .map(let value): ["type": "object", "additionalProperties": Self.type(value)]
        case .object(let parameters): object(parameters)
        case .oneOf(let types): ["oneOf": types.map { Self.type($0) }]
        case .probe(let parameters):
            // The probe's own keys are any kind's; the loader checks them.
            object(parameters).merging(["additionalProperties": true, "minProperties": 1]) { _, new in new }
        }
    }
}
