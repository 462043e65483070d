import Foundation
import Testing
import Yams

/// action.yml, as GitHub reads it: a composite action whose gate step writes annotations and JUnit,
/// with every input passed through the environment rather than pasted into a script.
@Suite struct GitHubActionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func actionIsACompositeStepThatRunsTheGate() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("action.yml"), encoding: .utf8)
        let action = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(action["name"] as? String == "Shipcheck gate")
        let inputs = try #require(action["inputs"] as? [String: Any])
        for name in ["phase", "env", "type", "config", "output-dir"] { #expect(inputs[name] != nil, "input \(name)") }
        let runs = try #require(action["runs"] as? [String: Any])
        #expect(runs["using"] as? String == "composite")
        let steps = try #require(runs["steps"] as? [[String: Any]])
        let gate = try #require(steps.first { $0["id"] as? String == "gate" })
        let run = try #require(gate["run"] as? String)
        #expect(run.contains("scripts/action-gate.sh"))
        let script = try String(
            contentsOf: Self.root.appendingPathComponent("scripts/action-gate.sh"), encoding: .utf8)
        #expect(script.contains("--format github,junit"))
        // Nothing is compiled unless asked: the install step downloads the release.
        let install = try #require(steps.first { $0["id"] as? String == "install" })
        #expect((install["run"] as? String)?.contains("scripts/action-install.sh") == true)
        for name in ["version", "release-url", "build-from-source"] { #expect(inputs[name] != nil, "input \(name)") }
        #expect(gate["shell"] as? String == "bash")
        for step in steps {
            let run = step["run"] as? String ?? ""
            #expect(!run.contains("${{"), "inputs go through env:, not into the script: \(run)")
        }
        let environment = try #require(gate["env"] as? [String: Any])
        #expect(environment["SHIPCHECK_PHASE"] as? String == "${{ inputs.phase }}")
    }

    @Test func preCommitHooksNameTheCommands() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent(".pre-commit-hooks.yaml"), encoding: .utf8)
        let hooks = try #require(try Yams.load(yaml: text) as? [[String: Any]])
        #expect(hooks.compactMap { $0["id"] as? String } == ["shipcheck-validate", "shipcheck-secrets"])
    }
}
