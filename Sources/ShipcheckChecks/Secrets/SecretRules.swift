import Foundation
import ShipcheckCore

/// A credential shape: literal keywords that must appear on the line (the fast prefilter), and the
/// pattern whose group `secretGroup` is the secret.
public struct SecretRule: Sendable {
    public let id: String
    public let summary: String
    /// Any of these on a line makes it a candidate; compared in lower case unless `caseSensitive`.
    let keywords: [String]
    let caseSensitive: Bool
    let pattern: String
    private let compiled: CompiledPattern
    /// Compiled on first use: most rules are matched by hand, and compiling all of them started ICU
    /// for every run.
    var regex: NSRegularExpression { compiled.regex }
    let secretGroup: Int
    /// Values that are examples or references rather than secrets are not findings.
    let rejectsPlaceholders: Bool
    /// A match that has the shape but is known noise, judged on all the match's groups (0 is the whole match).
    let isNoise: (@Sendable ([String]) -> Bool)?

    init(
        _ id: String, _ summary: String, keywords: [String], caseSensitive: Bool = true, pattern: String,
        secretGroup: Int = 1, rejectsPlaceholders: Bool = false, isNoise: (@Sendable ([String]) -> Bool)? = nil
    ) {
        self.id = id
        self.summary = summary
        self.keywords = keywords
        self.caseSensitive = caseSensitive
        self.pattern = pattern
        self.compiled = CompiledPattern(pattern)
        self.secretGroup = secretGroup
        self.rejectsPlaceholders = rejectsPlaceholders
        self.isNoise = isNoise
    }
}

/// A built-in pattern compiled once, when first asked for.
final class CompiledPattern: @unchecked Sendable {
    private let pattern: String
    private let lock = NSLock()
    private var compiled: NSRegularExpression?

    init(_ pattern: String) { self.pattern = pattern }

    var regex: NSRegularExpression {
        lock.lock()
        defer { lock.unlock() }
        if let compiled { return compiled }
        let regex = NSRegularExpression.builtIn(pattern)
        compiled = regex
        return regex
    }
}

public enum SecretRules {
    public static let all: [SecretRule] = [
        SecretRule(
            "aws-access-key-id", "AWS access key id",
            keywords: ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA"],
            pattern: #"\b((?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16})\b"#),
        SecretRule(
            "aws-secret-access-key", "AWS secret access key", keywords: ["aws"], caseSensitive: false,
            pattern: #"(?i)aws.{0,30}?(?:secret|key).{0,20}?[\s'"=:]([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"#),
        SecretRule(
            "github-token", "GitHub token", keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
            pattern: #"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"#),
        SecretRule(
            "gitlab-token", "GitLab token", keywords: ["glpat-", "gldt-", "glrt-"],
            pattern: #"\b(gl(?:pat|dt|rt)-[A-Za-z0-9_-]{20,})"#),
        SecretRule("slack-token", "Slack token", keywords: ["xox"], pattern: #"\b(xox[abposr]-[A-Za-z0-9-]{10,})"#),
        SecretRule(
            "slack-webhook", "Slack incoming webhook", keywords: ["hooks.slack.com"],
            pattern: #"(https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]{16,})"#),
        SecretRule(
            "stripe-key", "Stripe secret or restricted key",
            keywords: ["sk_live_", "rk_live_", "sk_test_", "rk_test_"],
            pattern: #"\b([sr]k_(?:live|test)_[A-Za-z0-9]{16,})"#),
        SecretRule(
            "openai-key", "OpenAI API key", keywords: ["sk-"],
            pattern: #"(?<![A-Za-z0-9_-])(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,})"#),
        SecretRule("google-api-key", "Google API key", keywords: ["AIza"], pattern: #"\b(AIza[0-9A-Za-z_-]{35})"#),
        SecretRule(
            "private-key", "Private key block", keywords: ["-----BEGIN"],
            pattern: #"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)"#),
        SecretRule(
            "jwt", "JSON Web Token", keywords: ["eyJ"],
            pattern: #"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"#),
        SecretRule(
            "url-password", "Password in a URL", keywords: ["://"],
            pattern: #"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"]+:([^\s:/@'"]{3,})@([^\s/:?#'"]*)"#,
            rejectsPlaceholders: true,
            isNoise: { groups in SecretNoise.isExampleURLCredential(password: groups[1]) }),
        SecretRule(
            "password-assignment", "Hard-coded password, secret or token",
            keywords: [
                "password", "passwd", "pwd", "secret", "api_key", "apikey", "api-key", "token", "access_key",
                "accesskey", "private_key", "client_secret", "auth_key", "credential",
            ],
            caseSensitive: false,
            // name, an optional type (`PASSWORD: str =`, `password string =`), an assignment, a quoted value.
            pattern:
                #"(?i)(?<![A-Za-z0-9_-])([A-Za-z0-9_-]*(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|token|private[_-]?key|auth[_-]?key|credentials?)[A-Za-z0-9_-]*)["']?(?:\s*:\s*[A-Za-z_][A-Za-z0-9_.\[\]|?]*|\s+(?:string|String|str))?\s*(?:[:=]|=>|:=)\s*[bru]?["']([^"'\s]{6,200})["']"#,
            secretGroup: 2, rejectsPlaceholders: true,
            isNoise: { groups in SecretRules.namesAnAttributeOfASecret(groups[1], value: groups[2]) }),
    ]

    /// Values that stand for a secret rather than being one.
    static func isPlaceholder(_ value: String) -> Bool {
        if value.hasPrefix("$") || value.hasPrefix("<") || value.hasPrefix("os.") || value.hasPrefix("process.env")
            || value.hasPrefix("env.") || value.hasAny(templateMarks)
        {
            return true
        }
        let lower = value.lowercased()
        var distinct = Set<UInt8>()
        for byte in lower.utf8 where distinct.count <= 2 { distinct.insert(byte) }
        if distinct.count <= 2 { return true }
        // Format strings and templates: `%d,%d`, `{0}:{1}`.
        if value.has("{") && value.has("}") { return true }
        return lower.hasAny(placeholderWords)
    }

    /// `${…}`, `{{…}}`, `%(name)s` and printf directives.
    static let templateMarks = ["${", "{{", "%("] + formatDirectives

    static let formatDirectives = ["%s", "%d", "%r", "%x", "%i", "%f"]

    /// `token_type = 'mailbox-list'`: the keyword sits inside a name for one of the secret's attributes,
    /// and the value is a plain word.
    static func namesAnAttributeOfASecret(_ identifier: String, value: String) -> Bool {
        guard SecretNoise.isPlainWord(value) else { return false }
        let lower = identifier.lowercased()
        for keyword in ["password", "passwd", "pwd", "secret", "token", "credentials", "credential", "key"] {
            if let found = lower.range(of: keyword, options: .backwards),
                SecretNoise.namesAnAttribute(lower, keywordEnd: found.upperBound)
            {
                return true
            }
        }
        return false
    }

    static let placeholderWords = [
        "password", "passwd", "secret", "example", "placeholder", "redacted", "your_", "your-",
        "yourpassword", "changeit", "changeme", "dummy", "sample", "xxxx", "****", "<", "none", "null",
        "undefined", "todo", "replace",
    ]
}
