import Foundation
import ShipcheckCore

/// Counts a JUnit XML report as it streams (pytest, Surefire, Jest, go-junit-report shapes):
/// `tests.total/passed/failed/errors/skipped`, `tests.time`, and the first failing test names.
enum JUnitParser {
    static let keptFailures = 10
    /// A test that errored (pytest's collection errors, a crashed fixture) is not a pass, whatever
    /// `expect:` says about failures.
    static let noErrors: FactExpression = .compare(.fact("tests.errors"), .equal, .literal(.number(0)))

    static func parse(file url: URL) throws(CheckError) -> Facts {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw CheckError("JUnit report `\(url.path)` was not written")
        }
        defer { try? handle.close() }
        var scanner = XMLScanner(handle: handle)
        return try parse(&scanner, source: url.lastPathComponent)
    }

    static func parse(data: Data, source: String) throws(CheckError) -> Facts {
        var scanner = XMLScanner(data: data)
        return try parse(&scanner, source: source)
    }

    private static func parse(_ scanner: inout XMLScanner, source: String) throws(CheckError) -> Facts {
        var total = 0
        var failed = 0
        var errors = 0
        var skipped = 0
        var time = 0.0
        var failing: [String] = []
        var suiteDepth = 0
        var rootName: String?
        // The open test case's attributes; its name is built only if it fails.
        var openCase: XMLAttributes?
        var caseOutcome: String?
        do {
            while let event = try scanner.next() {
                switch event {
                case .start(let name, let attributes, _):
                    if rootName == nil {
                        rootName = name
                        guard name == "testsuites" || name == "testsuite" else {
                            throw CheckError(
                                "`\(source)` is not a JUnit report: expected <testsuites> or <testsuite>, found <\(name)>"
                            )
                        }
                    }
                    switch name {
                    case "testsuite":
                        // Time from the outermost suites only, so that nested suites are not counted twice.
                        if suiteDepth == 0 { time += Double(attributes["time"] ?? "") ?? 0 }
                        suiteDepth += 1
                    case "testcase":
                        caseOutcome = nil
                        openCase = attributes
                    case "failure", "error", "skipped":
                        if openCase != nil, caseOutcome == nil { caseOutcome = name }
                    default:
                        break
                    }
                case .end(let name):
                    if name == "testsuite" { suiteDepth -= 1 }
                    guard name == "testcase", let current = openCase else { continue }
                    openCase = nil
                    total += 1
                    switch caseOutcome {
                    case "failure": failed += 1
                    case "error": errors += 1
                    case "skipped": skipped += 1
                    default: continue
                    }
                    if caseOutcome != "skipped", failing.count < keptFailures {
                        failing.append((current["classname"].map { $0 + "." } ?? "") + (current["name"] ?? "?"))
                    }
                }
            }
        } catch let error as XMLScanner.SyntaxError {
            throw CheckError("JUnit report `\(source)` is not well-formed XML: \(error)")
        } catch let error as CheckError {
            throw error
        } catch {
            throw CheckError("JUnit report `\(source)`: \(error)")
        }
        if total == 0 {
            throw CheckError("JUnit report `\(source)` holds no test cases: the run collected or ran no tests")
        }
        let passed = total - failed - errors - skipped
        var facts: Facts = [
            "tests.total": .number(Double(total)),
            "tests.failed": .number(Double(failed)),
            "tests.errors": .number(Double(errors)),
            "tests.skipped": .number(Double(skipped)),
            "tests.passed": .number(Double(passed)),
            "tests.time": .duration(time),
            "tests.failing": .list(failing.map(Value.string)),
        ]
        if total - skipped > 0 {
            facts["tests.pass_rate"] = .number((Double(passed) / Double(total - skipped) * 10_000).rounded() / 100)
        }
        return facts
    }
}
