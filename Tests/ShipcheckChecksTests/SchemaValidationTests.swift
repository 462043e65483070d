import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing
import Yams

@testable import ShipcheckChecks

/// The JSON Schema editors use (`shipcheck schema`) must accept what the loader accepts: the bundled
/// examples and every kind's documented example, checked by an independent validator (Python's
/// jsonschema, Draft 2020-12).
@Suite struct SchemaValidationTests {
    @Test func examplesAndKindExamplesValidateAgainstTheSchema() throws {
        guard Self.validatorPresent() else { return }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
        var documents: [(name: String, yaml: String)] = []
        for example in ["demo", "mina"] {
            let url = root.appendingPathComponent("examples/\(example)/shipcheck.yml")
            documents.append(("examples/\(example)", try String(contentsOf: url, encoding: .utf8)))
        }
        for kind in CheckKinds.all {
            for example in kind.examples {
                let item = "      - " + example.yaml.replacingOccurrences(of: "\n", with: "\n        ")
                documents.append(
                    ("\(kind.key): \(example.title)", "version: 1\nphases:\n  pre-deploy:\n    items:\n" + item))
            }
        }
        // And one the loader refuses, so that the validator is seen to say no.
        documents.append(
            ("refused", "version: 1\nphases:\n  pre-deploy:\n    items:\n      - { title: T, htp: { url: x } }"))

        let directory = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let schemaURL = directory.appendingPathComponent("schema.json")
        try ConfigSchema.json(kinds: CheckKinds.all).write(to: schemaURL, atomically: true, encoding: .utf8)
        var json: [String: Any] = [:]
        for (name, yaml) in documents { json[name] = try Yams.load(yaml: yaml) }
        let documentsURL = directory.appendingPathComponent("documents.json")
        try JSONSerialization.data(withJSONObject: json).write(to: documentsURL)

        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            for name, document in json.load(open(sys.argv[2])).items():
                error = jsonschema.exceptions.best_match(validator.iter_errors(document))
                print(name + " => " + ("ok" if error is None else "invalid: " + error.message[:200]))
            """
        let output = try Self.python(["-c", script, schemaURL.path, documentsURL.path])
        let verdicts = Dictionary(
            uniqueKeysWithValues: output.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let range = line.range(of: " => ") else { return nil }
                return (String(line[..<range.lowerBound]), String(line[range.upperBound...]))
            })
        #expect(verdicts.count == documents.count, "\(output)")
        for (name, _) in documents where name != "refused" {
            #expect(verdicts[name] == "ok", "\(name): \(verdicts[name] ?? "no verdict")")
        }
        #expect(verdicts["refused"]?.hasPrefix("invalid") == true, "\(verdicts["refused"] ?? "")")
    }

    /// jsonschema is a test tool: `.ci/run` installs it; elsewhere its absence skips loudly.
    static func validatorPresent() -> Bool {
        if (try? python(["-c", "import jsonschema"])) != nil { return true }
        let message = "schema validation needs Python's jsonschema (python3 -m pip install jsonschema)"
        Skips.record(message, unless: "SHIPCHECK_REQUIRE_SERVICES")
        return false
    }

    struct PythonFailed: Error { let stderr: String }

    static func python(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PythonFailed(stderr: String(decoding: errors, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}
