import Foundation
import ShipcheckTestSupport
import Testing

@testable import ShipcheckImport

/// The matchers written by hand to keep ICU's regular expressions off the import's path answer as
/// the expressions they replace, on crafted lines and on every line of the seed and the corpus.
@Suite struct HandMatcherTests {
    static let thresholdLines = [
        "p95 latency < 200ms", "- **Error rate**: ≤ 0.1%", "* **Latency** : >= 5 s", "CPU >= 80 %",
        "**Uptime** > 99.9%",
        "Memory usage < 512MB", "memory < 512 mb", "Response time < 5 min", "Response time < 5min", "latency < 5.5x",
        "latency < 123abc", "Latency ** < 5", "Page load < 3s (p75)", "  -   throughput >= 1000", "Error rate <= 1.",
        "Queue depth < 10\tms", "Sentry: <1% error rate", "a<1", "< 5ms", "1 < 2", "TTFB ≥ 12h", "Disk < 80%.",
        "Build (CI) time < 10 m", "- Latency < ٣ ms", "latency <=5kb", "latency < 5 KBs", "latency < 5 GB",
        "weird / label._+-(x) > 3", "**Bold** **x** < 3", "no comparison here", "", "*", "- ", "-**a**<1h",
    ]

    @Test func thresholdLinesReadAsTheExpressionDoes() throws {
        let expression = try NSRegularExpression(pattern: ThresholdLine.pattern, options: [.caseInsensitive])
        var bars = 0
        for line in Self.thresholdLines + (try corpusLines()) {
            // The expression's label may keep trailing spaces the reader trims; both are trimmed where used.
            let expected = Self.groups(expression, line).map {
                var label = $0[1]
                while label.hasSuffix(" ") { label.removeLast() }
                return ThresholdLine(label: label, comparison: $0[2], number: $0[3], unit: $0[4])
            }
            let read = ThresholdLine(line)
            #expect(read == expected, "\(line)")
            if read != nil { bars += 1 }
        }
        #expect(bars >= 25)
    }

    static let approvingSentences = [
        "reviewed by the tech lead", "approved by at least 2 reviewers", "cto sign-off", "cto signoff required",
        "qa: ____", "qa : ok", "the qa's review", "tech lead's sign-off", "tech lead signs off on it",
        "tech lead signed  off", "the release manager approves", "security team reviews\nthe change",
        "security team reviewers", "security team review.", "dba confirms the backup", "from our on-call engineer",
        "invites sent to stakeholders", "on-call engineer notified", "devops signs the release",
        "devops signsx", "product owner gives the go-ahead", "by one two the qa", "by at  least   3 qa",
        "bypass qa review", "nearby qa", "approved by: cto", "reviewer approval", "team lead verifies",
        "engineering lead accepts", "oncall acknowledges", "by\tthe\ttech lead", "ctos approve", "qa-team sign-off",
        "by ٣ qa", "",
    ]

    @Test func approvingSentencesMatchAsTheExpressionDoes() throws {
        let words = try Decisions.roleWords.filter { $0.role != "approver" }.map {
            let word = $0.word
            let pattern = ApprovingSentence.pattern(word: NSRegularExpression.escapedPattern(for: word))
            return (word, try NSRegularExpression(pattern: pattern, options: [.caseInsensitive]))
        }
        var approving = 0
        for sentence in Self.approvingSentences + (try corpusLines().map { $0.lowercased() }) {
            let matcher = ApprovingSentence(sentence)
            for (word, expression) in words {
                let expected = Self.groups(expression, sentence) != nil
                #expect(matcher.approves(word) == expected, "\(word) in \(sentence)")
                if expected { approving += 1 }
            }
        }
        #expect(approving >= 30)
    }

    private func corpusLines() throws -> [String] {
        guard SharedFiles.available else { return [] }
        var lines: [String] = []
        for file in [Corpus.seed] + Corpus.corpusFiles + Corpus.runbookFiles {
            let text = try String(contentsOf: file, encoding: .utf8)
            lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        #expect(lines.count > 1000)
        return lines
    }

    static func groups(_ regex: NSRegularExpression, _ text: String) -> [String]? {
        guard let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (0..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
    }
}
