import ShipcheckCore

/// Items whose title names the job of one of Shipcheck's kinds become that kind, which checks the
/// thing itself rather than whatever command the checklist happened to show: a changelog entry,
/// a scan for secrets, environment parity, security headers, CORS, rate limiting.
struct BuiltInKind: Equatable {
    /// The kind's key, e.g. `changelog`.
    var name: String
    /// Its parameters, a YAML flow mapping.
    var parameters: String
    /// Why, for the report: which words of the title chose it.
    var reason: String

    /// The variable the kinds that probe the service read for its address.
    static let baseURL = (
        name: "BASE_URL", placeholder: "the service's base URL, which the checklist does not give here"
    )

    /// The kind an item's title names, if any, and the variables it needs filled in.
    static func named(by title: String, description: [String]) -> (
        kind: BuiltInKind, variables: [(name: String, placeholder: String)]
    )? {
        let lower = DocumentWalker.plain(title).lowercased()
        let details = description.joined(separator: "\n")
        let service = "${{ vars.\(baseURL.name) }}"
        if lower.has("changelog") {
            let file = mentionedFile(in: title + "\n" + details, ending: "changelog.md") ?? "CHANGELOG.md"
            return (
                BuiltInKind(name: "changelog", parameters: "{ file: \(YAML.string(file)) }", reason: "changelog"), []
            )
        }
        if lower.hasAny([
            "hardcoded secret", "hard-coded secret", "no secrets", "secrets in code", "leaked secret",
            "credentials in code", "secret scan",
        ]) {
            return (BuiltInKind(name: "secrets", parameters: "{}", reason: "secrets"), [])
        }
        // Whole words: "cors" is not in "escorts", nor "env var" in "dev variance". Latin letters make
        // words; any other script is a boundary ("CORS配置正确").
        let words = lower.split(whereSeparator: { character in
            !character.unicodeScalars.allSatisfy {
                $0.value < 0x250 && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
            }
        }).map(String.init)
        func says(_ phrase: String...) -> Bool {
            words.indices.contains { start in
                start + phrase.count <= words.count && Array(words[start..<start + phrase.count]) == phrase
            }
        }
        if says("environment", "variable") || says("environment", "variables") || says("env", "var")
            || says("env", "vars")
        {
            let example = mentionedFile(in: details, ending: ".env.example") ?? ".env.example"
            return (
                BuiltInKind(
                    name: "env-parity", parameters: "{ example: \(YAML.string(example)) }",
                    reason: "environment variables"), []
            )
        }
        if lower.has("security header") {
            return (
                BuiltInKind(name: "headers", parameters: "{ url: \"\(service)/\" }", reason: "security headers"),
                [baseURL]
            )
        }
        if says("cors") {
            return (BuiltInKind(name: "cors", parameters: "{ url: \"\(service)/\" }", reason: "CORS"), [baseURL])
        }
        if lower.hasAny(["rate limit", "rate-limit", "ratelimit"]) {
            return (
                BuiltInKind(name: "rate-limit", parameters: "{ url: \"\(service)/\" }", reason: "rate limiting"),
                [baseURL]
            )
        }
        return nil
    }

    /// A file name the text mentions that ends with `ending` (case-insensitive), as written.
    static func mentionedFile(in text: String, ending: String) -> String? {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "`" || $0 == "*" }) {
            var trimmed = word.trimmingScalars { ",;:()'\"".unicodeScalars.contains($0) }
            if trimmed.hasSuffix(".") { trimmed.removeLast() }
            if trimmed.lowercased().hasSuffix(ending) { return trimmed }
        }
        return nil
    }
}
