import Testing

@testable import ShipcheckCore

@Suite struct ExpressionTests {
    func eval(_ text: String, _ facts: Facts = [:]) throws -> Bool {
        try FactExpression.parse(text).truth(in: Scope(facts: facts))
    }

    @Test func precedenceOrBindsLooserThanAnd() throws {
        // true or (false and false) — not (true or false) and false.
        #expect(try eval("true or false and false"))
        #expect(try !eval("(true or false) and false"))
        #expect(try eval("not false and true"))
        #expect(try !eval("not (false or true)"))
    }

    @Test func unitsNormalise() throws {
        let facts: Facts = [
            "latency.p95": .duration(0.432), "coverage.percent": .number(83.1), "size": .number(12_000_000),
        ]
        #expect(try eval("latency.p95 < 500ms", facts))
        #expect(try eval("latency.p95 >= 0.4s", facts))
        #expect(try !eval("latency.p95 < 1ms", facts))
        #expect(try eval("coverage.percent >= 80%", facts))
        #expect(try eval("size > 10MB and size < 12MiB", facts))
        #expect(try eval("1m == 60s and 1h == 60m"))
    }

    @Test func stringsRegexContainsAndFunctions() throws {
        let facts: Facts = [
            "json.status": .string("healthy"), "stdout": .string("Your branch is up to date"),
            "tags": .list([.string("a"), .string("b")]),
        ]
        #expect(try eval(#"json.status == "healthy""#, facts))
        #expect(try eval(#"stdout =~ "up.to.date$""#, facts))
        #expect(try eval(#"stdout contains 'branch'"#, facts))
        #expect(try eval(#"tags contains "b" and len(tags) == 2"#, facts))
        #expect(try eval("exists(json.status) and not exists(json.error)", facts))
        #expect(try eval(#"len(json.status) == 7"#, facts))
    }

    @Test func missingFactIsAnErrorNamingIt() throws {
        #expect {
            try eval("coverage.percnt >= 80", ["coverage.percent": .number(90)])
        } throws: { error in
            let message = (error as? EvaluationError)?.message ?? ""
            return message.contains("coverage.percnt") && message.contains("did you mean `coverage.percent`")
        }
    }

    @Test func durationAgainstPlainNumberIsAUnitMistake() {
        #expect(throws: EvaluationError.self) { try eval("duration < 5", ["duration": .duration(1)]) }
    }

    @Test func typeMismatchIsAnError() {
        #expect(throws: EvaluationError.self) { try eval(#"exit == "0""#, ["exit": .number(0)]) }
        #expect(throws: EvaluationError.self) { try eval("exit", ["exit": .number(0)]) }
    }

    @Test func explanationNamesTheFailingPartAndActualValues() throws {
        let expression = try FactExpression.parse("tests.failed == 0 and coverage.percent >= 80")
        let scope = Scope(facts: ["tests.failed": .number(0), "coverage.percent": .number(4.84)])
        #expect(expression.explainFailure(in: scope) == ["coverage.percent = 4.84, expected >= 80"])
        let both = Scope(facts: ["tests.failed": .number(2), "coverage.percent": .number(4.84)])
        #expect(
            expression.explainFailure(in: both) == [
                "tests.failed = 2, expected == 0", "coverage.percent = 4.84, expected >= 80",
            ])
        #expect(
            expression.explainFailure(in: Scope(facts: ["tests.failed": .number(0), "coverage.percent": .number(90)]))
                == [])
    }

    @Test func explanationOfDurations() throws {
        let expression = try FactExpression.parse("latency.p95 < 500ms")
        #expect(
            expression.explainFailure(in: Scope(facts: ["latency.p95": .duration(0.75)]))
                == ["latency.p95 = 750ms, expected < 500ms"])
    }

    @Test(arguments: [
        ("exit ==", "ends where a value was expected"),
        ("exit = 0", "use `==`"),
        ("(exit == 0", "expected `)`"),
        ("exit == 0 0", "after a complete expression"),
        ("a < b < c", "do not chain"),
        ("foo(1)", "unknown function `foo`"),
        ("len(1, 2)", "takes 1 argument"),
        ("exit == 5parsecs", "unknown unit"),
        ("name == \"open", "not closed"),
        ("exit == 0 and", "ends where a value was expected"),
        ("exists(1)", "takes a fact name"),
        ("#", "unexpected character"),
    ])
    func syntaxErrorsSayWhatWasExpected(text: String, fragment: String) {
        #expect {
            _ = try FactExpression.parse(text)
        } throws: { error in
            (error as? ExpressionSyntaxError)?.message.contains(fragment) == true
        }
    }

    @Test func syntaxErrorOffsetPointsAtTheProblem() {
        do {
            _ = try FactExpression.parse("exit == 0 and stdout =")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.offset == 21)
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "(", count: 5000) + "true" + String(repeating: ")", count: 5000)
        #expect(throws: ExpressionSyntaxError.self) { try FactExpression.parse(deep) }
        let nots = String(repeating: "not ", count: 5000) + "true"
        #expect(throws: ExpressionSyntaxError.self) { try FactExpression.parse(nots) }
    }

    @Test func descriptionRoundTrips() throws {
        for text in ["a == 1 and (b < 2s or not c)", #"json.status == "ok""#, "len(x) >= 3", "latency.p95 < 500ms"] {
            let parsed = try FactExpression.parse(text)
            #expect(try FactExpression.parse(parsed.description) == parsed)
        }
    }

    @Test func changedNeedsKnownPaths() throws {
        let expression = try FactExpression.parse(#"changed("migrations/**")"#)
        #expect(throws: EvaluationError.self) { try expression.truth(in: Scope(facts: [:])) }
        #expect(try expression.truth(in: Scope(facts: [:], changedPaths: ["migrations/versions/001_add.py"])))
        #expect(try !expression.truth(in: Scope(facts: [:], changedPaths: ["app/main.py"])))
    }
}

@Suite struct GlobTests {
    @Test func globs() {
        #expect(Glob("migrations/**").matches("migrations/a/b.py"))
        #expect(Glob("**/*.py").matches("app/x.py"))
        #expect(Glob("**/*.py").matches("x.py"))
        #expect(!Glob("*.py").matches("app/x.py"))
        #expect(Glob("docs/?.md").matches("docs/a.md"))
        #expect(!Glob("docs/?.md").matches("docs/ab.md"))
    }
}

@Suite struct DurationTests {
    @Test func parsesDurations() {
        #expect(parseDuration("90s") == 90)
        #expect(parseDuration("10m") == 600)
        #expect(parseDuration("1h30m") == 5400)
        #expect(parseDuration("250ms") == 0.25)
        #expect(parseDuration("ten") == nil)
        #expect(parseDuration("5") == nil)
        #expect(parseDuration("") == nil)
        #expect(parseDuration("5%") == nil)
    }
}
