import Foundation
import ShipcheckTestSupport
import Testing

@testable import ShipcheckCore

/// Random mutations of valid configurations and expressions: the loader and the parser
/// answer with a checklist or clean diagnostics, never a crash or a hang.
@Suite struct FuzzTests {
    static let seedConfig = """
        version: 1
        project: fuzz
        vars: { URL: "http://x", N: "3" }
        roles: { reviewer: [a@x, b@x] }
        environments:
          staging: { vars: { URL: "http://s" }, skip: [b] }
        types: { standard: {}, hotfix: {} }
        defaults: { timeout: 5m, retries: 1 }
        phases:
          pre-deploy:
            sections:
              - title: One
                items:
                  - id: a
                    title: A
                    fake: { facts: { exit: 0 }, sleep: 0 }
                    expect: [exit == 0, "exists(exit) and not (exit > 1)"]
                    when: env == "staging" or type == "hotfix"
                    timeout: 90s
                  - id: b
                    title: B
                    fake: {}
                    needs: [a]
                    retries: 2
                    retry-delay: 1s
                    severity: warn
                    rollback: echo ${{ vars.URL }}
                  - { id: c, title: C, manual: true, signoffs: { count: 2, role: reviewer } }
          deploy:
            items:
              - { title: Ship it, fake: {}, needs: [] }
        """

    static let fragments = [
        "{", "}", "[", "]", ":", "- ", "&a ", "*a", "!!binary ", "\n", "  ", "\"", "'", "#", "|",
        ">", "${{", "}}", "needs: [a]", "id: a", "0x", "-1", "~", "? ", ",", "\t", "\u{0}", "é", "🚀",
    ]

    @Test func mutatedConfigsNeverCrash() {
        var generator = SeededGenerator(seed: 0xC0FF_EE)
        let base = Array(Self.seedConfig.unicodeScalars)
        var loaded = 0
        var rejected = 0
        for _ in 0..<1500 {
            var scalars = base
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<max(1, scalars.count), using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where !scalars.isEmpty: scalars.remove(at: index)
                case 1:
                    let fragment = Self.fragments.randomElement(using: &generator)!
                    scalars.insert(contentsOf: fragment.unicodeScalars, at: min(index, scalars.count))
                case 2 where !scalars.isEmpty:
                    scalars[index] = Unicode.Scalar(UInt8.random(in: 32...126, using: &generator))
                default:
                    let end = min(scalars.count, index + Int.random(in: 1...40, using: &generator))
                    if index < end { scalars.removeSubrange(index..<end) }
                }
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            do {
                _ = try Fixtures.loader.load(yaml: String(text), file: "fuzz.yml")
                loaded += 1
            } catch {
                #expect(!error.diagnostics.isEmpty)
                #expect(error.diagnostics.allSatisfy { !$0.message.isEmpty })
                rejected += 1
            }
        }
        #expect(loaded + rejected == 1500)
        #expect(rejected > 100 && loaded > 0)
    }

    @Test func randomExpressionsNeverCrash() {
        var generator = SeededGenerator(seed: 0xE4_9E55)
        let atoms = [
            "exit", "tests.failed", "0", "80%", "500ms", "\"ok\"", "true", "false", "(", ")", "and", "or",
            "not", "==", "!=", "<", "<=", ">", ">=", "=~", "contains", "exists(", "len(", "changed(", ",",
            "[", "]", "json.status", "'x'", "-1", "1e3", "1.5.5", "\"unterminated", "!", "&&", "||", "=", "@",
        ]
        let facts: Facts = [
            "exit": .number(0), "tests.failed": .number(2), "json.status": .string("ok"),
            "latency": .duration(0.3),
        ]
        var parsed = 0
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 1...12, using: &generator))
                .map { _ in atoms.randomElement(using: &generator)! }.joined(separator: " ")
            guard let expression = try? FactExpression.parse(text) else { continue }
            parsed += 1
            // Evaluation answers with a value or an error; explaining never throws.
            _ = try? expression.evaluate(in: Scope(facts: facts, changedPaths: ["a/b.py"]))
            _ = expression.explainFailure(in: Scope(facts: facts))
            #expect((try? FactExpression.parse(expression.description)) == expression, "\(text) → \(expression)")
        }
        #expect(parsed > 100)
    }
}
