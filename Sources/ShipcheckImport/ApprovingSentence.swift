/// Whether a lowercased sentence names a role as the one who approves: "reviewed by the tech lead",
/// "cto sign-off", "qa: ____". Matched by hand over scalars, with the semantics of the regular
/// expression `ApprovingSentence.pattern(word:)` (a test holds the two to each other on every line
/// of the corpus): compiling one expression per role word cost more than the rest of an import's
/// sign-off handling.
struct ApprovingSentence {
    private let text: ScalarText

    init(_ lower: String) {
        text = ScalarText(lower)
    }

    /// The regular expression this matcher answers for, given a role word escaped for one.
    static func pattern(word: String) -> String {
        #"(?:\bby|\bfrom)\s+(?:the\s+|a\s+|an\s+|our\s+|at\s+least\s+|\d+\s+|one\s+|two\s+|three\s+)*"# + word
            + #"|"# + word
            + #"[\w-]*(?:'s)?\s+(?:\w+\s+)?(?:sign-?offs?|signs?\s+off|signed\s+off|approv\w*|reviews?\b|reviewed|confirms?|accepts?|signs\b|verifies|go-ahead)"#
            + #"|^"# + word + #"[\w-]*\s*:"#
    }

    func approves(_ role: String) -> Bool {
        guard !role.isEmpty else { return false }
        if let end = text.literal(role, at: 0), labelsTheLine(after: end) { return true }
        for index in text.indices {
            if index == 0 || !text.isWord(at: index - 1),
                let after = text.literal("by", at: index) ?? text.literal("from", at: index),
                let start = text.spaces(after),
                roleAfterFillers(role, from: start)
            {
                return true
            }
            if let end = text.literal(role, at: index), verbFollows(end) { return true }
        }
        return false
    }

    /// `(?:the\s+|a\s+|…)*ROLE` from `start`.
    private func roleAfterFillers(_ role: String, from start: Int) -> Bool {
        var index = start
        while text.literal(role, at: index) == nil {
            guard let next = filler(index) else { return false }
            index = next
        }
        return true
    }

    /// One of `the `, `a `, `an `, `our `, `at least `, digits, `one `, `two `, `three `: where it ends.
    private func filler(_ index: Int) -> Int? {
        for filler in ["the", "a", "an", "our", "one", "two", "three"] {
            if let end = text.literal(filler, at: index), let next = text.spaces(end) { return next }
        }
        if let at = text.literal("at", at: index), let middle = text.spaces(at),
            let least = text.literal("least", at: middle)
        {
            return text.spaces(least)
        }
        var digits = index
        while digits < text.count, ScalarText.isDigit(text[digits]) { digits += 1 }
        return digits > index ? text.spaces(digits) : nil
    }

    /// `[\w-]*\s*:` after the role word that opens the line.
    private func labelsTheLine(after start: Int) -> Bool {
        var index = start
        while index < text.count, text.isWord(at: index) || text[index] == "-" { index += 1 }
        index = text.afterSpaces(index)
        return index < text.count && text[index] == ":"
    }

    /// `[\w-]*(?:'s)?\s+(?:\w+\s+)?VERB` after the role word.
    private func verbFollows(_ start: Int) -> Bool {
        var index = start
        while index < text.count, text.isWord(at: index) || text[index] == "-" { index += 1 }
        if let possessive = text.literal("'s", at: index), text.spaces(possessive) != nil { index = possessive }
        guard let afterSpaces = text.spaces(index) else { return false }
        var next = afterSpaces
        while text.isWord(at: next) { next += 1 }
        if next > afterSpaces, let verb = text.spaces(next), isVerb(verb) { return true }
        return isVerb(afterSpaces)
    }

    /// `sign-?offs?|signs?\s+off|signed\s+off|approv\w*|reviews?\b|reviewed|confirms?|accepts?|signs\b|verifies|go-ahead`
    private func isVerb(_ index: Int) -> Bool {
        for prefix in ["signoff", "sign-off", "approv", "reviewed", "confirm", "accept", "verifies", "go-ahead"]
        where text.literal(prefix, at: index) != nil {
            return true
        }
        for whole in ["reviews", "review", "signs"] {
            if let end = text.literal(whole, at: index), !text.isWord(at: end) { return true }
        }
        for before in ["signs", "sign", "signed"] {
            if let end = text.literal(before, at: index), let off = text.spaces(end),
                text.literal("off", at: off) != nil
            {
                return true
            }
        }
        return false
    }
}
