import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

@Suite struct JUnitParserTests {
    @Test func readsPytestAndSurefireReports() throws {
        let pytest = try JUnitParser.parse(file: Harness.fixture("junit-pytest.xml"))
        #expect(pytest["tests.total"] == .number(5))
        #expect(pytest["tests.passed"] == .number(2))
        #expect(
            pytest["tests.failing"]
                == .list([.string("tests.test_calc.test_fails"), .string("tests.test_calc.test_errors")]))
        let surefire = try JUnitParser.parse(file: Harness.fixture("junit-surefire.xml"))
        #expect(surefire["tests.total"] == .number(3))
        #expect(surefire["tests.failed"] == .number(1))
        #expect(surefire["tests.skipped"] == .number(1))
        #expect(surefire["tests.time"] == .duration(0.042))
    }

    /// swift test --xunit-output (real), go-junit-report and jest-junit (hand-checked against their formats).
    @Test(arguments: [
        ("junit-swift-testing.xml", 3.0, 1.0, 1.0),
        ("junit-go.xml", 3.0, 1.0, 0.0),
        ("junit-jest.xml", 4.0, 1.0, 1.0),
    ])
    func readsOtherRunnersReports(name: String, total: Double, failed: Double, skipped: Double) throws {
        let facts = try JUnitParser.parse(file: Harness.fixture(name))
        #expect(facts["tests.total"] == .number(total))
        #expect(facts["tests.failed"] == .number(failed))
        #expect(facts["tests.skipped"] == .number(skipped))
    }

    @Test func streamsAHundredThousandCases() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("junit-100k-\(UUID().uuidString).xml")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        handle.write(
            Data("<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"big\" tests=\"100000\" time=\"12.5\">\n".utf8))
        var chunk = ""
        for index in 0..<100_000 {
            switch index % 100 {
            case 0:
                chunk +=
                    "<testcase classname=\"m\" name=\"t\(index)\"><failure message=\"x &lt; y\"><![CDATA[a < b]]></failure></testcase>\n"
            case 1: chunk += "<testcase classname=\"m\" name=\"t\(index)\"><skipped/></testcase>\n"
            default: chunk += "<testcase classname=\"m\" name=\"t\(index)\" time=\"0.001\"/>\n"
            }
            if index % 5000 == 4999 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data("</testsuite></testsuites>\n".utf8))
        try handle.close()
        let facts = try JUnitParser.parse(file: url)
        #expect(facts["tests.total"] == .number(100_000))
        #expect(facts["tests.failed"] == .number(1000))
        #expect(facts["tests.skipped"] == .number(1000))
        #expect(facts["tests.passed"] == .number(98_000))
        guard case .list(let failing) = facts["tests.failing"] else {
            Issue.record("no list")
            return
        }
        #expect(failing.count == 10)
    }

    /// Errors deep in a streamed file name their line, whatever chunk boundaries fell before it; tags and
    /// attributes split across chunks read whole.
    @Test func streamedErrorsNameTheirLine() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("junit-bad-\(UUID().uuidString).xml")
        defer { try? FileManager.default.removeItem(at: url) }
        var text = "<?xml version=\"1.0\"?>\n<testsuite name=\"big\">\n"
        for index in 0..<20_000 {
            text += "<testcase classname=\"pkg.module\" name=\"test_\(index)\" time=\"0.001\"/>\n"
        }
        let good = text + "</testsuite>\n"
        try Data(good.utf8).write(to: url)
        #expect(try JUnitParser.parse(file: url)["tests.total"] == .number(20_000))
        // Line 20,003: after the declaration, the suite's tag and 20,000 cases.
        try Data((text + "<testcase name=unquoted/>\n</testsuite>\n").utf8).write(to: url)
        #expect {
            _ = try JUnitParser.parse(file: url)
        } throws: { error in
            "\(error)".contains("attribute `name` is not quoted at line 20003")
        }
    }

    @Test(arguments: [
        ("<testsuites><testsuite><testcase name=\"a\">", "not well-formed"),
        ("not xml at all", "not well-formed"),
        ("<coverage/>", "not a JUnit report"),
        ("", "not well-formed"),
        ("<testsuite><testcase name='a'/></testsuite><extra/>", "not well-formed"),
    ])
    func malformedReportsAreCleanErrors(text: String, fragment: String) {
        #expect {
            _ = try JUnitParser.parse(data: Data(text.utf8), source: "r.xml")
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }
}

@Suite struct CoverageParserTests {
    @Test func readsCoveragePyJSONAndCobertura() throws {
        let json = try CoverageParser.parse(file: Harness.fixture("coverage-py.json"))
        #expect(json["coverage.percent"] == .number(60))
        let xml = try CoverageParser.parse(file: Harness.fixture("cobertura.xml"))
        #expect(xml["coverage.percent"] == .number(60))
        #expect(xml["coverage.lines.covered"] == .number(6))
        #expect(xml["coverage.lines.total"] == .number(10))
    }

    @Test(arguments: [
        ("{\"totals\": {\"covered_lines\": \"six\"}}", "lacks covered_lines"),
        ("{\"meta\": {}}", "has no `totals`"),
        ("{\"totals\": ", "not valid JSON"),
        ("<coverage version=\"1\"/>", "neither line-rate"),
        ("<report/>", "no LINE counter"),
        ("<html/>", "not a Cobertura or JaCoCo report"),
        ("<cov", "not well-formed"),
        ("plain text", "is neither coverage.py JSON"),
        ("", "is neither coverage.py JSON"),
    ])
    func malformedReportsAreCleanErrors(text: String, fragment: String) {
        #expect {
            _ = try CoverageParser.parse(data: Data(text.utf8), source: "c")
        } throws: { error in
            "\(error)".contains(fragment)
        }
    }
}

@Suite struct JSONFactsTests {
    @Test func flattensDocuments() throws {
        let facts = try JSONFacts.parse(
            data: Data(
                #"{"status": "healthy", "db": {"up": true, "pool": 3}, "tags": ["a", "b"], "checks": [{"ok": false}]}"#
                    .utf8),
            prefix: "json", source: "stdout")
        #expect(facts["json.status"] == .string("healthy"))
        #expect(facts["json.db.up"] == .bool(true))
        #expect(facts["json.db.pool"] == .number(3))
        #expect(facts["json.tags"] == .list([.string("a"), .string("b")]))
        #expect(facts["json.checks.0.ok"] == .bool(false))
        #expect(throws: CheckError.self) { try JSONFacts.parse(data: Data("{".utf8), prefix: "json", source: "stdout") }
    }
}

@Suite struct ParserFuzzTests {
    /// Random truncations and byte flips of real reports: every parser returns facts or a clean error.
    @Test func mutatedReportsNeverCrash() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        let sources = try ["junit-pytest.xml", "junit-surefire.xml", "coverage-py.json", "cobertura.xml"].map {
            try Data(contentsOf: Harness.fixture($0))
        }
        var outcomes = (parsed: 0, rejected: 0)
        for round in 0..<600 {
            var data = sources[round % sources.count]
            let mutations = Int.random(in: 1...8, using: &generator)
            for _ in 0..<mutations where !data.isEmpty {
                let index = Int.random(in: 0..<data.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: data[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: data = data.prefix(index)
                default: data.insert(contentsOf: Array("<&\"{[".utf8).shuffled(using: &generator).prefix(2), at: index)
                }
            }
            for parse in [
                { try JUnitParser.parse(data: $0, source: "f") }, { try CoverageParser.parse(data: $0, source: "f") },
                { try JSONFacts.parse(data: $0, prefix: "json", source: "f") },
            ] as [(Data) throws -> Facts] {
                if (try? parse(data)) != nil { outcomes.parsed += 1 } else { outcomes.rejected += 1 }
            }
        }
        #expect(outcomes.parsed + outcomes.rejected == 1800)
        #expect(outcomes.rejected > 0)
    }
}
