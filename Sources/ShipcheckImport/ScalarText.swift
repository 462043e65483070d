/// Text as an array of scalars, read by index: what the matchers written by hand in place of
/// regular expressions (`ApprovingSentence`, `ThresholdLine`) share, with ICU's meanings of `\s`,
/// `\w` and `\d`.
struct ScalarText {
    let scalars: [Unicode.Scalar]

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    var count: Int { scalars.count }
    var indices: Range<Int> { scalars.indices }

    subscript(_ index: Int) -> Unicode.Scalar { scalars[index] }

    /// Where `literal` ends when the text has it at `index`.
    func literal(_ literal: String, at index: Int) -> Int? {
        var position = index
        for scalar in literal.unicodeScalars {
            guard position < scalars.count, scalars[position] == scalar else { return nil }
            position += 1
        }
        return position
    }

    /// Where the whitespace from `index` ends (`\s*`): `index` itself when there is none.
    func afterSpaces(_ index: Int) -> Int {
        var end = index
        while end < scalars.count, scalars[end].properties.isWhitespace { end += 1 }
        return end
    }

    /// Where one or more whitespace scalars from `index` end (`\s+`).
    func spaces(_ index: Int) -> Int? {
        let end = afterSpaces(index)
        return end > index ? end : nil
    }

    /// Whether the scalar at `index` is a word scalar (`\w`); false past the end.
    func isWord(at index: Int) -> Bool {
        index >= 0 && index < scalars.count && Self.isWord(scalars[index])
    }

    /// ICU's `\w`: letters, marks, decimal digits, connector punctuation and the joiners.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
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

    /// ICU's `\d`: any decimal digit.
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? (0x30...0x39).contains(scalar.value) : scalar.properties.numericType == .decimal
    }

    /// The text from `start` to `end` as a String.
    func string(_ start: Int, _ end: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<end]))
    }
}
