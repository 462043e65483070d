/// A line that states a bar: "p95 latency < 200ms", "- **Error rate**: ≤ 0.1%", "CPU >= 80 %".
/// Read by hand over scalars, with the semantics of the regular expression `ThresholdLine.pattern`
/// (case-insensitive; a test holds the two to each other on every line of the corpus): most
/// imports meet such a line early, and compiling that expression started ICU's regular
/// expressions for an import that might not otherwise need them.
struct ThresholdLine: Equatable {
    var label: String
    var comparison: String
    var number: String
    var unit: String

    static let pattern =
        #"^\s*(?:[-*]\s*)?(?:\*\*)?([A-Za-z][A-Za-z0-9 /()._+-]*?)(?:\*\*)?\s*:?\s*(<=|>=|≤|≥|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|%|MB|GB|KB)?(?![A-Za-z0-9])"#

    private static let comparisons = ["<=", ">=", "≤", "≥", "<", ">"]
    private static let units = ["ms", "s", "m", "h", "%", "mb", "gb", "kb"]

    init?(_ line: String) {
        let text = ScalarText(line)
        let start = text.afterSpaces(0)
        // The bullet and the bold mark are each optional; a `*` may be either.
        let bullet: Int? = start < text.count && (text[start] == "-" || text[start] == "*") ? start + 1 : nil
        for afterBullet in [bullet.map { text.afterSpaces($0) }, start] {
            guard let afterBullet else { continue }
            let bold = text.literal("**", at: afterBullet)
            for labelStart in [bold, afterBullet] {
                guard let labelStart, let found = Self.read(text, labelStart: labelStart) else { continue }
                self = found
                return
            }
        }
        return nil
    }

    init(label: String, comparison: String, number: String, unit: String) {
        self.label = label
        self.comparison = comparison
        self.number = number
        self.unit = unit
    }

    /// `LABEL(?:\*\*)?\s*:?\s*OP\s*NUMBER\s*UNIT?(?![A-Za-z0-9])` from `labelStart`.
    private static func read(_ text: ScalarText, labelStart: Int) -> ThresholdLine? {
        guard labelStart < text.count, isASCIILetter(text[labelStart]) else { return nil }
        var labelEnd = labelStart + 1
        while labelEnd < text.count, isLabelScalar(text[labelEnd]) { labelEnd += 1 }
        var index = text.afterSpaces(text.literal("**", at: labelEnd) ?? labelEnd)
        if index < text.count, text[index] == ":" { index = text.afterSpaces(index + 1) }
        guard let comparison = comparisons.first(where: { text.literal($0, at: index) != nil }) else {
            return nil
        }
        let numberStart = text.afterSpaces(index + comparison.unicodeScalars.count)
        var digits = numberStart
        while digits < text.count, ScalarText.isDigit(text[digits]) { digits += 1 }
        guard digits > numberStart else { return nil }
        // Longest number first, as the expression backtracks: the fraction's digits, then none, then
        // fewer integer digits.
        var ends: [Int] = []
        if digits < text.count, text[digits] == ".", digits + 1 < text.count, ScalarText.isDigit(text[digits + 1]) {
            var fraction = digits + 1
            while fraction < text.count, ScalarText.isDigit(text[fraction]) { fraction += 1 }
            ends += stride(from: fraction, to: digits + 1, by: -1)
        }
        ends += stride(from: digits, to: numberStart, by: -1)
        for end in ends {
            guard let unit = unit(text, after: end) else { continue }
            var label = text.string(labelStart, labelEnd)
            while label.hasSuffix(" ") { label.removeLast() }
            return ThresholdLine(
                label: label, comparison: comparison, number: text.string(numberStart, end),
                unit: unit)
        }
        return nil
    }

    /// `\s*(ms|s|m|h|%|MB|GB|KB)?(?![A-Za-z0-9])` after a number: the unit as written, or nil when
    /// no way of reading what follows ends the number.
    private static func unit(_ text: ScalarText, after end: Int) -> String? {
        let spaced = text.afterSpaces(end)
        for spacesEnd in stride(from: spaced, through: end, by: -1) {
            for unit in units {
                guard let unitEnd = literalIgnoringCase(unit, in: text, at: spacesEnd),
                    !isASCIIAlphanumeric(text, unitEnd)
                else { continue }
                return text.string(spacesEnd, unitEnd)
            }
            if !isASCIIAlphanumeric(text, spacesEnd) { return "" }
        }
        return nil
    }

    private static func literalIgnoringCase(_ lower: String, in text: ScalarText, at index: Int) -> Int? {
        var position = index
        for scalar in lower.unicodeScalars {
            guard position < text.count else { return nil }
            let found = text[position]
            let folded = (0x41...0x5A).contains(found.value) ? Unicode.Scalar(UInt8(found.value + 0x20)) : found
            guard folded == scalar else { return nil }
            position += 1
        }
        return position
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        (0x41...0x5A).contains(scalar.value) || (0x61...0x7A).contains(scalar.value)
    }

    private static func isLabelScalar(_ scalar: Unicode.Scalar) -> Bool {
        isASCIILetter(scalar) || (0x30...0x39).contains(scalar.value) || " /()._+-".unicodeScalars.contains(scalar)
    }

    private static func isASCIIAlphanumeric(_ text: ScalarText, _ index: Int) -> Bool {
        index < text.count && (isASCIILetter(text[index]) || (0x30...0x39).contains(text[index].value))
    }
}
