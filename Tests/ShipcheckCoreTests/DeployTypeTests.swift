import Foundation
import Testing

@testable import ShipcheckCore

/// Deploy types run their own items (`only:`, `skip:` by item, section or phase), and say so for
/// every item they leave out; `require: all` environments skip nothing.
@Suite struct DeployTypeTests {
    static let yaml = """
        version: 1
        environments: { staging: {}, production: { require: all } }
        types:
          standard: { skip: [Hotfix] }
          hotfix: { only: [Hotfix] }
          emergency: { skip: [pre-deploy] }
        phases:
          pre-deploy:
            sections:
              - title: Checks
                items:
                  - { id: tests, title: Tests, fake: {} }
                  - { id: lint, title: Lint, fake: {} }
              - title: Hotfix
                items:
                  - { id: quick-tests, title: Quick tests, fake: {} }
          deploy:
            items:
              - { id: ship, title: Ship, fake: {} }
        """

    func run(_ phase: PhaseName = .preDeploy, type: String?, env: String? = nil) async throws -> [String: ItemResult] {
        let checklist = try Fixtures.load(Self.yaml)
        let result = await Engine(
            checklist: checklist, options: Fixtures.options(phase, env: env, type: type),
            environment: Fixtures.environment
        ).run()
        return Dictionary(uniqueKeysWithValues: result.items.map { ($0.id, $0) })
    }

    @Test func eachTypeRunsItsOwnItemsAndNamesTheRest() async throws {
        let standard = try await run(type: "standard")
        #expect(standard["tests"]?.outcome == .pass && standard["lint"]?.outcome == .pass)
        #expect(standard["quick-tests"]?.outcome == .skipped)
        #expect(standard["quick-tests"]?.reason == "skipped by type standard")

        let hotfix = try await run(type: "hotfix")
        #expect(hotfix["quick-tests"]?.outcome == .pass)
        #expect(hotfix["tests"]?.reason == "skipped by type hotfix, which runs only its own items in pre-deploy")
        // Its `only:` names nothing in deploy, so the deploy phase runs whole.
        #expect(try await run(.deploy, type: "hotfix")["ship"]?.outcome == .pass)

        let emergency = try await run(type: "emergency")
        #expect(emergency.values.allSatisfy { $0.reason == "skipped by type emergency" })
        #expect(try await run(.deploy, type: "emergency")["ship"]?.outcome == .pass)
    }

    @Test func aTypeThatNamesNothingIsAConfigurationError() {
        let problems = Fixtures.problems(
            """
            version: 1
            types:
              hotfix: { only: [Hotfix, quick-test] }
            phases:
              pre-deploy:
                items:
                  - { id: quick-tests, title: Quick tests, fake: {} }
            """
        ).map(\.description).joined(separator: "\n")
        #expect(
            problems.contains(
                "test.yml:3:19: at `types.hotfix.only`: type `hotfix` runs only `Hotfix`, which is not an item, a section title or a phase"
            ), "\(problems)")
        #expect(
            problems.contains(
                "`quick-test`, which is not an item, a section title or a phase; did you mean `quick-tests`?"))
    }

    @Test func anEnvironmentThatRequiresEverythingSkipsNothing() throws {
        let checklist = try Fixtures.load(Self.yaml)
        let problems = Fixtures.options(env: "production", skip: ["lint"]).problems(in: checklist)
        #expect(
            problems.contains { $0.hasPrefix("--skip: production requires every item (`require: all`)") }, "\(problems)"
        )
        #expect(Fixtures.options(env: "staging", skip: ["lint"]).problems(in: checklist).isEmpty)
        let refused = Fixtures.problems(
            """
            version: 1
            environments: { production: { require: all, skip: [lint] } }
            phases:
              pre-deploy:
                items:
                  - { id: lint, title: Lint, fake: {} }
            """
        ).map(\.description).joined(separator: "\n")
        #expect(
            refused.contains("`production` requires every item (`require: all`), so it cannot skip any"), "\(refused)")
    }
}
