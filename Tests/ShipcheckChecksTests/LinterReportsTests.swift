import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

/// flake8, mypy and ESLint reports, read the way the importer writes their checks: the real tools
/// where they are installed (`.ci/run` installs flake8 and mypy), findings a fail with their figure,
/// and a scan of nothing an error, never a pass.
@Suite struct LinterReportsTests {
    static let flake8Gate = """
        - { id: flake8, title: flake8, run: "mkdir -p reports && rm -f reports/f.txt && flake8 . --benchmark --output-file reports/f.txt", allow-exit: [1], parse: { flake8: reports/f.txt }, expect: findings.total == 0 }
        """
    static let mypyGate = """
        - { id: mypy, title: mypy, run: "mkdir -p reports && mypy . --output json > reports/m.json", allow-exit: [1], parse: { mypy: reports/m.json }, expect: findings.error == 0 }
        """

    func write(_ text: String, _ name: String, in directory: URL) throws {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    @Test func flake8CountsFindingsAndAnEmptyFolderIsAnError() async throws {
        guard LookedAtNothingTests.present("flake8") else { return }
        let directory = try Harness.temporaryDirectory()
        try write("nothing to lint\n", "README.md", in: directory)
        let empty = try await Harness.run(items: Self.flake8Gate, in: directory)
        #expect(empty["flake8"]?.outcome == .error, "\(empty["flake8"]?.reason ?? "")")
        #expect(empty["flake8"]?.reason?.contains("looked at 0 files") == true, "\(empty["flake8"]?.reason ?? "")")

        try write("import os\n\n\ndef f( a ):\n    return a\n", "app.py", in: directory)
        let dirty = try await Harness.run(items: Self.flake8Gate, in: directory)
        #expect(dirty["flake8"]?.outcome == .fail, "\(dirty["flake8"]?.reason ?? "")")
        #expect(dirty["flake8"]?.facts["findings.total"] == .number(3))
        #expect(dirty["flake8"]?.facts["findings.F401"] == .number(1))
        #expect(dirty["flake8"]?.facts["scanned.files"] == .number(1))

        try write("def f(a):\n    return a\n", "app.py", in: directory)
        let clean = try await Harness.run(items: Self.flake8Gate, in: directory)
        #expect(clean["flake8"]?.outcome == .pass, "\(clean["flake8"]?.reason ?? "")")
    }

    @Test func mypyCountsTypeErrorsAndAnEmptyFolderIsAnError() async throws {
        guard LookedAtNothingTests.present("mypy") else { return }
        let directory = try Harness.temporaryDirectory()
        try write("nothing to check\n", "README.md", in: directory)
        let empty = try await Harness.run(items: Self.mypyGate, in: directory)
        // mypy exits 2 when it finds no file: not a status that means findings.
        #expect(empty["mypy"]?.outcome == .error, "\(empty["mypy"]?.reason ?? "")")
        #expect(empty["mypy"]?.reason?.contains("exited 2") == true, "\(empty["mypy"]?.reason ?? "")")

        try write("x: int = \"a\"\ny: str = 1\n", "app.py", in: directory)
        let dirty = try await Harness.run(items: Self.mypyGate, in: directory)
        #expect(dirty["mypy"]?.outcome == .fail, "\(dirty["mypy"]?.reason ?? "")")
        #expect(dirty["mypy"]?.facts["findings.error"] == .number(2))
        #expect(dirty["mypy"]?.facts["findings.code.assignment"] == .number(2))

        try write("x: int = 1\n", "app.py", in: directory)
        let clean = try await Harness.run(items: Self.mypyGate, in: directory)
        #expect(clean["mypy"]?.outcome == .pass, "\(clean["mypy"]?.reason ?? "")")
    }

    @Test func flake8WithoutItsStatisticsIsAnError() throws {
        // An empty report without --benchmark could be a clean run or a scan of nothing.
        #expect(throws: CheckError.self) { try ReportFormat.flake8.parse(data: Data(), source: "f.txt") }
        let report = "./a.py:1:1: F401 'os' imported but unused\n1          total files processed\n"
        let facts = try ReportFormat.flake8.parse(data: Data(report.utf8), source: "f.txt")
        #expect(facts["findings.total"] == .number(1))
        // A path with colons of its own is still one finding, with its code.
        let colons = "./odd:name:1.py:3:5: E225 missing whitespace: around operator\n2   total files processed\n"
        let odd = try ReportFormat.flake8.parse(data: Data(colons.utf8), source: "f.txt")
        #expect(odd["findings.total"] == .number(1))
        #expect(odd["findings.E225"] == .number(1))
        // Two runs appended to one file.
        #expect(throws: CheckError.self) {
            try ReportFormat.flake8.parse(data: Data((report + report).utf8), source: "f.txt")
        }
    }

    @Test func eslintReportsErrorsWarningsAndWhatItRead() throws {
        // ESLint's documented `-f json` shape: one entry per file it read.
        let report = """
            [{"filePath":"/p/a.js","messages":[{"ruleId":"no-unused-vars","severity":2,"message":"x"},
              {"ruleId":"semi","severity":1,"message":"y"}],"errorCount":1,"warningCount":1},
             {"filePath":"/p/b.js","messages":[{"ruleId":null,"severity":2,"fatal":true,"message":"Parsing error"}],
              "errorCount":1,"warningCount":0}]
            """
        let facts = try ReportFormat.eslint.parse(data: Data(report.utf8), source: "e.json")
        #expect(facts["findings.error"] == .number(2))
        #expect(facts["findings.warning"] == .number(1))
        #expect(facts["findings.fatal"] == .number(1))
        #expect(facts["findings.rule.no-unused-vars"] == .number(1))
        #expect(facts["scanned.files"] == .number(2))
        #expect(throws: CheckError.self) { try ReportFormat.eslint.parse(data: Data("[]".utf8), source: "e.json") }
    }

    @Test func mypyLinesThatAreNotJSONAreAnError() {
        #expect(throws: CheckError.self) {
            try ReportFormat.mypy.parse(data: Data("app.py:1: error: oops\n".utf8), source: "m.json")
        }
    }
}
