import Foundation
import ShipcheckCore
import ShipcheckTestSupport
import Testing

@testable import ShipcheckChecks

@Suite struct RegistryTests {
    static let kindsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/ShipcheckChecks/Kinds").standardizedFileURL

    /// Every file in Kinds/ declares one kind, and every declared kind is in `CheckKinds.all`.
    @Test func everyKindFileIsRegistered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.kindsDirectory.path).filter {
            $0.hasSuffix(".swift")
        }
        #expect(!files.isEmpty)
        let registered = Set(CheckKinds.all.map(\.key))
        for file in files {
            let text = try String(contentsOf: Self.kindsDirectory.appendingPathComponent(file), encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"KindDescription\(\s*key:\s*"([^"]+)""#)
            let keys = regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range(at: 1), in: text).map { String(text[$0]) }
            }
            #expect(keys.count == 1, "\(file) should declare exactly one kind")
            for key in keys {
                #expect(registered.contains(key), "\(file) declares `\(key)`, missing from CheckKinds.all")
            }
        }
        #expect(files.count == CheckKinds.all.count)
        #expect(Set(CheckKinds.all.map(\.key)).count == CheckKinds.all.count, "kind keys are unique")
    }

    /// Each kind's documented examples load, run and reach the documented outcome and facts.
    @Test func documentedExamplesHold() async throws {
        for kind in CheckKinds.all {
            #expect(!kind.examples.isEmpty, "\(kind.key) has no examples")
            #expect(kind.examples.contains { $0.outcome == .pass }, "\(kind.key) needs a passing example")
            #expect(kind.examples.contains { $0.outcome != .pass }, "\(kind.key) needs a failing example")
            for example in kind.examples {
                // Examples of a service's kind run against the test's server, when there is one.
                guard let serviceVariables = Services.exampleVariables(for: kind.key) else { continue }
                let directory = try Harness.temporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                for (path, content) in example.files {
                    let url = directory.appendingPathComponent(path)
                    try FileManager.default.createDirectory(
                        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try content.write(to: url, atomically: true, encoding: .utf8)
                }
                if let setup = example.setup {
                    let outcome = try await ProcessRunner().run(
                        arguments: ["/bin/sh", "-c", setup],
                        environment: ProcessInfo.processInfo.environment,
                        workingDirectory: directory.path)
                    #expect(
                        outcome.termination == .exited(0),
                        "setup of \(kind.key) `\(example.title)`: \(outcome.stderr.text)")
                }
                // Probe examples point at the in-process test server, on loopback.
                let base = try await TestServer.shared.start()
                let port = RawListener.shared.port
                let run = try await Harness.run(
                    items: "- " + example.yaml.replacingOccurrences(of: "\n", with: "\n  "), in: directory,
                    vars:
                        "{ BASE_URL: \"\(base)\", WS_URL: \"\(base.replacingOccurrences(of: "http://", with: "ws://"))\", PORT: \"\(port)\", DNS_SERVER: \"\(TestDNSServer.shared.address)\"\(serviceVariables.isEmpty ? "" : ", " + serviceVariables) }",
                    history: ListedHistory(example.history), commit: example.commit)
                let item = try #require(run.items.first)
                #expect(item.outcome == example.outcome, "\(kind.key) example `\(example.title)`: \(item.reason ?? "")")
                for (name, value) in example.facts {
                    #expect(item.facts[name] == value, "\(kind.key) example `\(example.title)`: fact \(name)")
                }
            }
        }
    }

    @Test func schemaCoversEveryParameter() throws {
        let schema = ConfigSchema.json(kinds: CheckKinds.all)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(schema.utf8)) as? [String: Any])
        let defs = try #require(object["$defs"] as? [String: Any])
        let item = try #require(defs["item"] as? [String: Any])
        let properties = try #require(item["properties"] as? [String: Any])
        for kind in CheckKinds.all {
            for parameter in kind.parameters { #expect(properties[parameter.name] != nil, "\(parameter.name) missing") }
        }
        for parameter in ConfigSchema.commonItemParameters { #expect(properties[parameter.name] != nil) }
    }
}

@Suite struct ReferenceDocTests {
    /// docs/reference.md is generated; regenerate with `swift run shipcheck reference > docs/reference.md`.
    @Test func referenceDocIsCurrent() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../docs/reference.md")
        let committed = try String(contentsOf: url, encoding: .utf8)
        #expect(
            committed == ConfigReference.markdown(kinds: CheckKinds.all),
            "docs/reference.md is stale: run `swift run shipcheck reference > docs/reference.md`")
    }
}
