import Foundation
import Testing

@testable import ShipcheckCore

/// The configuration's own YAML reader: libyaml's events into flat arrays, aliases written out.
@Suite struct YAMLDocumentTests {
    private func read(_ text: String, budget: NodeBudget = NodeBudget()) throws(YAMLDocument.Problem) -> YAMLDocument {
        budget.allow(bytes: text.utf8.count)
        return try YAMLDocument.read(text, file: "t.yml", budget: budget, sink: DiagnosticSink())
    }

    private func node(_ document: YAMLDocument, _ path: [String]) -> ConfigNode? {
        var current = ConfigNode(document: document, index: document.root)
        for step in path {
            if let position = Int(step) {
                guard let elements = current.sequence(), elements.indices.contains(position) else { return nil }
                current = elements[position]
            } else {
                guard let value = current.mapping()?.first(where: { $0.key == step })?.value else { return nil }
                current = value
            }
        }
        return current
    }

    @Test func keyPathsAndPlacesAreWorkedOutFromTheTree() throws {
        let document = try read(
            """
            version: 1
            phases:
              pre-deploy:
                items:
                  - { id: a, run: "echo a" }
                  - id: b
                    run: echo b
            """)
        let run = try #require(node(document, ["phases", "pre-deploy", "items", "1", "run"]))
        #expect(run.keyPath == "phases.pre-deploy.items[1].run")
        #expect(run.location == SourceLocation(file: "t.yml", line: 7, column: 14))
        #expect(run.string() == "echo b")
        let quoted = try #require(node(document, ["phases", "pre-deploy", "items", "0", "run"]))
        #expect(quoted.location?.column == 23)
        // A key shares its value's path.
        let keys = try #require(node(document, ["phases"])?.mapping())
        #expect(keys[0].keyNode.keyPath == "phases.pre-deploy")
    }

    @Test func aliasesAreWrittenOutWithTheirOwnPaths() throws {
        let document = try read(
            """
            base: &base { timeout: 30s, retries: 2 }
            list: &list [a, b]
            one: *base
            two: { nested: *list }
            """)
        let copy = try #require(node(document, ["two", "nested", "1"]))
        #expect(copy.keyPath == "two.nested[1]")
        #expect(copy.string() == "b")
        #expect(node(document, ["one", "retries"])?.integer(in: 0...9) == 2)
        #expect(node(document, ["one", "retries"])?.keyPath == "one.retries")
    }

    @Test(arguments: [
        ("a: *nowhere\n", "`*nowhere` refers to no anchor", 1, 4),
        ("a: &x [*x]\n", "`*x` refers to no anchor", 1, 8),
        ("a: 1\n---\nb: 2\n", "a second YAML document", 2, 1),
        ("a: [1, 2\n", "not valid YAML", 2, 1),
        ("a: \"open\n", "not valid YAML", 2, 1),
        ("a: 1\nb:\tc\u{7}\n", "not valid YAML text: control characters are not allowed", 2, 5),
    ])
    func problemsNameTheirPlace(text: String, fragment: String, line: Int, column: Int) {
        do {
            _ = try read(text)
            Issue.record("read \(text.debugDescription) without a problem")
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
            #expect((error.line, error.column) == (line, column), "\(error.message)")
        }
    }

    @Test func duplicateKeysAreFoundInEveryMapping() throws {
        var long = "big:\n"
        for index in 0..<40 { long += "  k\(index): \(index)\n" }
        long += "  k7: again\nsmall: { a: 1, b: 2, a: 3 }\n"
        let document = try read(long)
        let found = document.duplicateKeys.map { (document.scalarText($0.second), document.keyPath($0.first)) }
        #expect(found.map(\.0) == ["k7", "a"])
        #expect(found.map(\.1) == ["big.k7", "small.a"])
    }

    @Test func aliasesPastTheBudgetAreRefusedAtTheAlias() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            text +=
                "a\(level): &a\(level) ["
                + Array(repeating: "*a\(level == 1 ? "" : String(level - 1))", count: 10)
                .joined(separator: ", ") + "]\n"
        }
        do {
            _ = try read(text)
            Issue.record("an alias bomb was read")
        } catch {
            #expect(error.message.contains("more than 200000 nodes"), "\(error.message)")
            #expect(error.message.contains("YAML aliases"), "\(error.message)")
            #expect(error.line > 1)
        }
    }

    @Test func emptyDocumentsHaveNoRoot() throws {
        #expect(try read("").root == -1)
        #expect(try read("# only a comment\n").root == -1)
    }

    @Test(arguments: [
        ("42", 42), ("-7", -7), ("+3", 3), ("1_000", 1000), ("0x1F", 31), ("0o17", 15), ("017", 15),
        ("0b101", 5), ("0", 0),
    ])
    func integersReadAsYAMLWritesThem(text: String, value: Int) {
        #expect(YAMLScalar.integer(text) == value)
    }

    @Test(arguments: ["", "-", "x1", "1x", "0x", "09", "1.5", "+-1", "٣"])
    func notIntegers(text: String) {
        #expect(YAMLScalar.integer(text) == nil)
    }

    @Test func booleansAndFloats() {
        #expect(YAMLScalar.bool("yes") == true && YAMLScalar.bool("Off") == false && YAMLScalar.bool("nope") == nil)
        #expect(YAMLScalar.isFloat("1.5e3") && YAMLScalar.isFloat(".inf") && !YAMLScalar.isFloat("nan"))
        #expect(!YAMLScalar.isFloat("1.2.3") && !YAMLScalar.isFloat("v1.0"))
    }

    @Test func quotedAndTaggedScalarsAreStrings() throws {
        let document = try read("a: 'true'\nb: !!str 5\nc: true\nd: \"~\"\n")
        #expect(node(document, ["a"])?.kindName == "a string")
        #expect(node(document, ["b"])?.kindName == "a string")
        #expect(node(document, ["c"])?.kindName == "a boolean")
        #expect(node(document, ["d"])?.isNull == false)
    }
}
