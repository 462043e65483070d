import Foundation

/// A checklist document read line by line: headings, task items and their look-alikes,
/// fenced code blocks and the other lines, with their indentation. Only what an importer
/// needs of CommonMark: linear in the input, no recursion, so no input can make it hang.
struct MarkdownLines {
    enum Kind: Equatable {
        case heading(level: Int, text: String)
        /// `- [ ]`, `* [x]`, `1. [ ]`: `indent` is the column of the marker.
        case task(indent: Int, checked: Bool, text: String)
        /// `- text ☐`, a table row with `☐`, or a sign-off blank such as `Reviewer: ______`.
        case lookalike(indent: Int, text: String, reason: LookalikeReason)
        /// `ordered`: `1.` or `1)`, a step of a procedure.
        case bullet(indent: Int, text: String, ordered: Bool)
        case fence(Fence)
        case text(indent: Int, text: String)
        case blank
    }

    enum LookalikeReason: String {
        case checkboxGlyph = "☐ mark"
        case signoffBlank = "sign-off blank"
    }

    struct Fence: Equatable {
        let indent: Int
        let info: String
        let body: [String]
        /// Line numbers (1-based) of the opening and closing fence.
        let startLine: Int
        let endLine: Int
    }

    struct Line {
        let number: Int
        let kind: Kind
        /// Depth of `>` block quote markers, stripped from the text.
        let quoteDepth: Int
    }

    private(set) var lines: [Line] = []
    static let maximumQuoteDepth = 16

    init(_ text: String) {
        let rawLines = text.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
        var index = 0
        while index < rawLines.count {
            let number = index + 1
            var (content, quoteDepth) = Self.stripQuotes(String(rawLines[index]))
            content = Self.expandTabs(content)
            let indent = content.prefix { $0 == " " }.count
            let trimmed = content.dropFirst(indent)
            if let fence = Self.fenceOpening(trimmed) {
                var body: [String] = []
                var end = index + 1
                var closed = false
                while end < rawLines.count {
                    let (inner, _) = Self.stripQuotes(String(rawLines[end]))
                    let innerTrimmed = inner.drop { $0 == " " || $0 == "\t" }
                    if innerTrimmed.hasPrefix(String(repeating: fence.character, count: fence.length)),
                        innerTrimmed.allSatisfy({ $0 == fence.character || $0 == " " || $0 == "\t" })
                    {
                        closed = true
                        break
                    }
                    body.append(Self.dedent(Self.expandTabs(inner), by: indent))
                    end += 1
                }
                // An unclosed fence runs to the end of the document, as in CommonMark.
                let endLine = closed ? end + 1 : rawLines.count
                lines.append(
                    Line(
                        number: number,
                        kind: .fence(
                            Fence(
                                indent: indent, info: fence.info, body: body,
                                startLine: number, endLine: endLine)),
                        quoteDepth: quoteDepth))
                index = closed ? end + 1 : end
                continue
            }
            lines.append(Line(number: number, kind: Self.classify(trimmed, indent: indent), quoteDepth: quoteDepth))
            index += 1
        }
    }

    static func stripQuotes(_ line: String) -> (String, Int) {
        var rest = Substring(line)
        var depth = 0
        while depth < maximumQuoteDepth {
            let spaces = rest.prefix { $0 == " " }
            guard spaces.count <= 3, rest.dropFirst(spaces.count).first == ">" else { break }
            rest = rest.dropFirst(spaces.count + 1)
            if rest.first == " " { rest = rest.dropFirst() }
            depth += 1
        }
        return (String(rest), depth)
    }

    static func expandTabs(_ line: String) -> String {
        guard line.has("\t") else { return line }
        var out = ""
        var column = 0
        for character in line {
            if character == "\t" {
                let spaces = 4 - column % 4
                out += String(repeating: " ", count: spaces)
                column += spaces
            } else {
                out.append(character)
                column += 1
            }
        }
        return out
    }

    static func dedent(_ line: String, by indent: Int) -> String {
        let spaces = min(indent, line.prefix { $0 == " " }.count)
        return String(line.dropFirst(spaces))
    }

    static func fenceOpening(_ trimmed: Substring) -> (character: Character, length: Int, info: String)? {
        guard let first = trimmed.first, first == "`" || first == "~" else { return nil }
        let run = trimmed.prefix { $0 == first }
        guard run.count >= 3 else { return nil }
        let info = trimmed.dropFirst(run.count).trimmedSpaces
        if first == "`", info.has("`") { return nil }
        return (first, run.count, info)
    }

    static func classify(_ trimmed: Substring, indent: Int) -> Kind {
        if trimmed.allSatisfy({ $0 == " " }) { return .blank }
        if trimmed.first == "#" {
            let hashes = trimmed.prefix { $0 == "#" }.count
            let rest = trimmed.dropFirst(hashes)
            if hashes <= 6, indent <= 3, rest.isEmpty || rest.first == " " {
                var text = rest.trimmedSpaces
                while text.hasSuffix("#") { text.removeLast() }
                return .heading(level: hashes, text: text.trimmedSpaces)
            }
        }
        if let (markerLength, afterMarker) = listMarker(trimmed) {
            let body = afterMarker
            if body.count >= 3, body.hasPrefix("["), [" ", "x", "X"].contains(body.dropFirst().first),
                body.dropFirst(2).first == "]", body.count == 3 || body.dropFirst(3).first == " "
            {
                let checked = body.dropFirst().first != " "
                return .task(indent: indent, checked: checked, text: body.dropFirst(3).trimmedSpaces)
            }
            let text = body.trimmedSpaces
            if let reason = lookalike(text) { return .lookalike(indent: indent, text: text, reason: reason) }
            let ordered = trimmed.first?.isNumber == true
            _ = markerLength
            return .bullet(indent: indent, text: text, ordered: ordered)
        }
        let text = trimmed.trimmedSpaces
        if text.hasPrefix("|"), text.has("☐") {
            return .lookalike(indent: indent, text: text, reason: .checkboxGlyph)
        }
        if isSignoffBlank(text) { return .lookalike(indent: indent, text: text, reason: .signoffBlank) }
        return .text(indent: indent, text: text)
    }

    /// `- `, `* `, `+ `, `1. `, `1) ` followed by the rest of the line.
    static func listMarker(_ trimmed: Substring) -> (Int, Substring)? {
        guard let first = trimmed.first else { return nil }
        if first == "-" || first == "*" || first == "+" {
            let after = trimmed.dropFirst()
            guard after.isEmpty || after.first == " " else { return nil }
            // `---` and `***` are rules, not bullets.
            if trimmed.allSatisfy({ $0 == first || $0 == " " }), trimmed.filter({ $0 == first }).count >= 3 {
                return nil
            }
            return (1, after.drop { $0 == " " })
        }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        let after = trimmed.dropFirst(digits.count)
        guard let delimiter = after.first, delimiter == "." || delimiter == ")" else { return nil }
        let rest = after.dropFirst()
        guard rest.isEmpty || rest.first == " " else { return nil }
        return (digits.count + 1, rest.drop { $0 == " " })
    }

    static func lookalike(_ text: String) -> LookalikeReason? {
        if text.has("☐") { return .checkboxGlyph }
        if isSignoffBlank(text) { return .signoffBlank }
        return nil
    }

    static let signoffWords = [
        "sign-off", "signoff", "signed", "sign off", "signature", "approved", "approver",
        "approval", "reviewer", "reviewed by", "verified by",
    ]

    /// `Reviewer: ______`, `**Sign-Off**: ____ Date: ____`: a blank for a person's name.
    static func isSignoffBlank(_ text: String) -> Bool {
        guard text.has("___"), let colon = text.firstIndex(of: ":") else { return false }
        let label = String(text[..<colon]).replacingBytes("*", with: "").lowercased()
        return signoffWords.contains { label.has($0) }
    }
}
