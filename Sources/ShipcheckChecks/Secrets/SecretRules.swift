import Foundation
import ShipcheckCore

/// A credential shape: literal keywords that must appear on the line (the fast prefilter), and the
/// pattern whose first group is the secret.
public struct SecretRule: Sendable {
    public let id: String
    public let summary: String
    /// Any of these on a line makes it a candidate; compared in lower case unless `caseSensitive`.
    let keywords: [String]
    let caseSensitive: Bool
    let regex: NSRegularExpression
    /// Values that are examples or references rather than secrets are not findings.
    let rejectsPlaceholders: Bool

    init(
        _ id: String, _ summary: String, keywords: [String], caseSensitive: Bool = true, pattern: String,
        rejectsPlaceholders: Bool = false
    ) {
        self.id = id
        self.summary = summary
        self.keywords = keywords
        self.caseSensitive = caseSensitive
        self.regex = NSRegularExpression.builtIn(pattern)
        self.rejectsPlaceholders = rejectsPlaceholders
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
            pattern: #"[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'"]+:([^\s:/@'"]{3,})@"#, rejectsPlaceholders: true),
        SecretRule(
            "password-assignment", "Hard-coded password, secret or token",
            keywords: [
                "password", "passwd", "pwd", "secret", "api_key", "apikey", "api-key", "token", "access_key",
                "accesskey", "private_key", "client_secret", "auth_key", "credential",
            ],
            caseSensitive: false,
            pattern:
                #"(?i)(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?key|token|private[_-]?key|auth[_-]?key|credentials?)[A-Za-z0-9_-]*["']?\s*(?:[:=]|=>|:=)\s*[bru]?["']([^"'\s]{6,200})["']"#,
            rejectsPlaceholders: true),
    ]

    /// Values that stand for a secret rather than being one.
    static func isPlaceholder(_ value: String) -> Bool {
        let lower = value.lowercased()
        if value.hasPrefix("$") || value.has("${") || value.has("{{") || value.has("%(") || value.hasPrefix("<")
            || value.hasPrefix("os.") || value.hasPrefix("process.env") || value.hasPrefix("env.")
        {
            return true
        }
        if Set(lower.utf8).count <= 2 { return true }
        return lower.hasAny(placeholderWords)
    }

    static let placeholderWords = [
        "password", "passwd", "secret", "example", "placeholder", "redacted", "your_", "your-",
        "yourpassword", "changeit", "dummy", "sample", "xxxx", "****", "<", "none", "null",
        "undefined", "todo", "replace",
    ]
}
