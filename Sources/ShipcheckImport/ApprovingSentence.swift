/// Whether a lowercased sentence names a role as the one who approves: "reviewed by the tech lead",
/// "cto sign-off", "qa: ____". Matched by hand over scalars, with the semantics of the regular
/// expression `ApprovingSentence.pattern(word:)` (a test holds the two to each other on every line
/// of the corpus): compiling one expression per role word cost more than the rest of an import's
/// sign-off handling.
struct ApprovingSentence {
    private let text: [Unicode.Scalar]

    init(_ lower: String) {
        text = Array(lower.unicodeScalars)
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
        if let end = word(role, at: 0), labelsTheLine(after: end) { return true }
        for index in text.indices {
            if index == 0 || !isWordScalar(text[index - 1]),
                let after = word("by", at: index) ?? word("from", at: index), let start = spaces(after),
                roleAfterFillers(role, from: start)
            {
                return true
            }
            if let end = word(role, at: index), verbFollows(end) { return true }
        }
        return false
    }

    /// `(?:the\s+|a\s+|…)*ROLE` from `start`.
    private func roleAfterFillers(_ role: String, from start: Int) -> Bool {
        var index = start
        while word(role, at: index) == nil {
            guard let next = filler(index) else { return false }
            index = next
        }
        return true
    }

    /// One of `the `, `a `, `an `, `our `, `at least `, digits, `one `, `two `, `three `: where it ends.
    private func filler(_ index: Int) -> Int? {
        for filler in ["the", "a", "an", "our", "one", "two", "three"] {
            if let end = word(filler, at: index), let next = spaces(end) { return next }
        }
        if let at = word("at", at: index), let middle = spaces(at), let least = word("least", at: middle) {
            return spaces(least)
        }
        var digits = index
        while digits < text.count, text[digits].properties.numericType == .decimal { digits += 1 }
        return digits > index ? spaces(digits) : nil
    }

    /// `[\w-]*\s*:` after the role word that opens the line.
    private func labelsTheLine(after start: Int) -> Bool {
        var index = start
        while index < text.count, isWordScalar(text[index]) || text[index] == "-" { index += 1 }
        while index < text.count, text[index].properties.isWhitespace { index += 1 }
        return index < text.count && text[index] == ":"
    }

    /// `[\w-]*(?:'s)?\s+(?:\w+\s+)?VERB` after the role word.
    private func verbFollows(_ start: Int) -> Bool {
        var index = start
        while index < text.count, isWordScalar(text[index]) || text[index] == "-" { index += 1 }
        if let possessive = word("'s", at: index), spaces(possessive) != nil { index = possessive }
        guard let afterSpaces = spaces(index) else { return false }
        var next = afterSpaces
        while next < text.count, isWordScalar(text[next]) { next += 1 }
        if next > afterSpaces, let verb = spaces(next), isVerb(verb) { return true }
        return isVerb(afterSpaces)
    }

    /// `sign-?offs?|signs?\s+off|signed\s+off|approv\w*|reviews?\b|reviewed|confirms?|accepts?|signs\b|verifies|go-ahead`
    private func isVerb(_ index: Int) -> Bool {
        for prefix in ["signoff", "sign-off", "approv", "reviewed", "confirm", "accept", "verifies", "go-ahead"]
        where word(prefix, at: index) != nil {
            return true
        }
        for whole in ["reviews", "review", "signs"] {
            if let end = word(whole, at: index), end == text.count || !isWordScalar(text[end]) { return true }
        }
        for before in ["signs", "sign", "signed"] {
            if let end = word(before, at: index), let off = spaces(end), word("off", at: off) != nil { return true }
        }
        return false
    }

    /// Where `literal` ends when the text has it at `index`.
    private func word(_ literal: String, at index: Int) -> Int? {
        var position = index
        for scalar in literal.unicodeScalars {
            guard position < text.count, text[position] == scalar else { return nil }
            position += 1
        }
        return position
    }

    /// Where one or more whitespace scalars from `index` end.
    private func spaces(_ index: Int) -> Int? {
        var end = index
        while end < text.count, text[end].properties.isWhitespace { end += 1 }
        return end > index ? end : nil
    }

    /// ICU's `\w`: letters, marks, decimal digits, connector punctuation and the joiners.
    private func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let value = scalar.value
            return (0x61...0x7A).contains(value) || (0x41...0x5A).contains(value) || (0x30...0x39).contains(value)
                || value == 0x5F
        }
        if scalar.value == 0x200C || scalar.value == 0x200D { return true }
        let properties = scalar.properties
        if properties.isAlphabetic { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
