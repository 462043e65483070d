import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ShipcheckCore

/// Counts a JUnit XML report as it streams (pytest, Surefire, Jest, go-junit-report shapes):
/// `tests.total/passed/failed/errors/skipped`, `tests.time`, and the first failing test names.
enum JUnitParser {
    static let keptFailures = 10

    static func parse(file url: URL) throws(CheckError) -> Facts {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckError("JUnit report `\(url.path)` was not written")
        }
        guard let stream = InputStream(url: url) else {
            throw CheckError("cannot read JUnit report `\(url.path)`")
        }
        return try parse(XMLParser(stream: stream), source: url.lastPathComponent)
    }

    static func parse(data: Data, source: String) throws(CheckError) -> Facts {
        try parse(XMLParser(data: data), source: source)
    }

    private static func parse(_ parser: XMLParser, source: String) throws(CheckError) -> Facts {
        let counter = Counter()
        parser.delegate = counter
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if !ok || counter.depth != 0 {
            let detail = parser.parserError.map { " (\($0.localizedDescription))" } ?? ""
            throw CheckError("JUnit report `\(source)` is not well-formed XML at line \(parser.lineNumber)\(detail)")
        }
        guard counter.sawRoot else {
            throw CheckError("`\(source)` is not a JUnit report: expected <testsuites> or <testsuite>, found <\(counter.rootName ?? "nothing")>")
        }
        let total = counter.total
        var facts: Facts = [
            "tests.total": .number(Double(total)),
            "tests.failed": .number(Double(counter.failed)),
            "tests.errors": .number(Double(counter.errors)),
            "tests.skipped": .number(Double(counter.skipped)),
            "tests.passed": .number(Double(total - counter.failed - counter.errors - counter.skipped)),
            "tests.time": .duration(counter.time),
            "tests.failing": .list(counter.failing.map(Value.string)),
        ]
        if total > 0 {
            facts["tests.pass_rate"] = .number((Double(total - counter.failed - counter.errors - counter.skipped)
                / Double(total - counter.skipped == 0 ? 1 : total - counter.skipped) * 10_000).rounded() / 100)
        }
        return facts
    }

    private final class Counter: NSObject, XMLParserDelegate {
        var total = 0, failed = 0, errors = 0, skipped = 0
        var time = 0.0
        var failing: [String] = []
        var depth = 0
        var sawRoot = false
        var rootName: String?
        var inCase = false
        var caseName = ""
        var caseOutcome: String?
        var suiteDepth = 0

        func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            if depth == 0 {
                rootName = element
                sawRoot = element == "testsuites" || element == "testsuite"
            }
            depth += 1
            switch element {
            case "testsuite":
                // Time from the outermost suites only, so that nested suites are not counted twice.
                if suiteDepth == 0 || (suiteDepth == 1 && rootName == "testsuites") {
                    time += Double(attributes["time"] ?? "") ?? 0
                }
                suiteDepth += 1
            case "testcase":
                inCase = true
                caseOutcome = nil
                let classname = attributes["classname"].map { $0 + "." } ?? ""
                caseName = classname + (attributes["name"] ?? "?")
            case "failure" where inCase: caseOutcome = caseOutcome ?? "failure"
            case "error" where inCase: caseOutcome = caseOutcome ?? "error"
            case "skipped" where inCase: caseOutcome = caseOutcome ?? "skipped"
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            if element == "testsuite" { suiteDepth -= 1 }
            guard element == "testcase", inCase else { return }
            inCase = false
            total += 1
            switch caseOutcome {
            case "failure": failed += 1
            case "error": errors += 1
            case "skipped": skipped += 1
            default: return
            }
            if caseOutcome != "skipped", failing.count < JUnitParser.keptFailures { failing.append(caseName) }
        }
    }
}
