import Foundation
import Testing

@testable import ShipcheckCore

/// Sign-off rules on a fixed clock: N of a role, distinct people, no self-approval by the deployer
/// or the commit's author, expiry; and rules that can never hold are configuration errors.
@Suite struct SignoffRuleTests {
    struct Given: SignoffSource {
        let signoffs: [Signoff]
        func signoffs(for item: Item) async -> [Signoff] { signoffs }
    }

    static let yaml = """
        version: 1
        roles: { reviewer: [alice@example.com, bob@example.com, dave@example.com] }
        phases:
          pre-deploy:
            items:
              - id: approved
                title: PR approved
                manual: true
                signoffs: { count: 2, distinct: true, role: reviewer, not: [deployer, author], expires: 24h }
        """

    func judge(_ signers: [(String, hoursAgo: Double)], deployer: String = "ci@example.com", author: String? = nil)
        async throws -> ItemResult
    {
        let now = Fixtures.fixedDate
        let given = signers.map { Signoff(actor: $0.0, note: nil, at: now.addingTimeInterval(-$0.hoursAgo * 3600)) }
        var options = Fixtures.options()
        options.actor = deployer
        options.provenance.author = author
        let result = await Engine(
            checklist: try Fixtures.load(Self.yaml), options: options, environment: Fixtures.environment,
            signoffSource: Given(signoffs: given)
        ).run()
        return try #require(result.items.first)
    }

    @Test func twoDistinctReviewersWhoAreNeitherDeployerNorAuthor() async throws {
        #expect(try await judge([("alice@example.com", 1), ("bob@example.com", 2)]).outcome == .pass)
        #expect(try await judge([("alice@example.com", 1), ("alice@example.com", 2)]).outcome == .pending)
        #expect(try await judge([("alice@example.com", 1), ("erin@example.com", 2)]).outcome == .pending)

        let deployer = try await judge(
            [("alice@example.com", 1), ("bob@example.com", 1)], deployer: "bob@example.com")
        #expect(deployer.outcome == .pending)
        #expect(
            deployer.reason?.contains("bob@example.com runs this gate and may not approve it") == true,
            "\(deployer.reason ?? "")")

        let author = try await judge([("alice@example.com", 1), ("bob@example.com", 1)], author: "alice@example.com")
        #expect(author.outcome == .pending)
        #expect(author.reason?.contains("alice@example.com wrote the change") == true, "\(author.reason ?? "")")
    }

    @Test func aSignoffExpires() async throws {
        #expect(try await judge([("alice@example.com", 23.9), ("bob@example.com", 1)]).outcome == .pass)
        let old = try await judge([("alice@example.com", 24.1), ("bob@example.com", 1)])
        #expect(old.outcome == .pending)
        #expect(
            old.reason?.contains("alice@example.com's sign-off expired (older than 24h)") == true, "\(old.reason ?? "")"
        )
    }

    @Test func rulesThatCanNeverHoldAreConfigurationErrors() {
        let problems = Fixtures.problems(
            """
            version: 1
            roles: { cto: [frank@example.com] }
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, manual: true, signoffs: { count: 2, role: cto, not: [owner] } }
            """
        ).map(\.description).joined(separator: "\n")
        #expect(
            problems.contains("needs 2 distinct sign-offs from `cto`, which has 1 person: it can never be satisfied"),
            "\(problems)")
        #expect(problems.contains("`owner` is not someone a sign-off can exclude; expected deployer or author"))
    }

    @Test func anyOneGroupSatisfiesAnOrRule() async throws {
        let yaml = """
            version: 1
            roles: { engineer: [alice@example.com, bob@example.com], cto: [frank@example.com] }
            phases:
              pre-deploy:
                items:
                  - id: risky
                    title: Risky change
                    manual: true
                    signoffs: { any-of: [{ count: 2, role: engineer }, { role: cto }], not: [deployer] }
            """
        let checklist = try Fixtures.load(yaml)
        func outcome(_ signers: [String], deployer: String = "ci@example.com") async throws -> ItemResult {
            var options = Fixtures.options()
            options.actor = deployer
            let given = signers.map { Signoff(actor: $0, note: nil, at: Fixtures.fixedDate) }
            let result = await Engine(
                checklist: checklist, options: options, environment: Fixtures.environment,
                signoffSource: Given(signoffs: given)
            ).run()
            return try #require(result.items.first)
        }
        #expect(try await outcome(["alice@example.com", "bob@example.com"]).outcome == .pass)
        #expect(try await outcome(["frank@example.com"]).outcome == .pass)
        let one = try await outcome(["alice@example.com", "erin@example.com"])
        #expect(one.outcome == .pending)
        #expect(
            one.reason
                == "awaiting 1 sign-off from role engineer (1 of 2 given), or 1 sign-off from role cto; not counted: erin@example.com holds none of the roles engineer, cto",
            "\(one.reason ?? "")")
        // The shared rules apply to every group: the CTO running the gate cannot approve it alone.
        #expect(try await outcome(["frank@example.com"], deployer: "frank@example.com").outcome == .pending)
    }

    @Test func badOrRulesAreConfigurationErrors() {
        let problems = Fixtures.problems(
            """
            version: 1
            roles: { cto: [frank@example.com], engineer: [alice@example.com] }
            phases:
              pre-deploy:
                items:
                  - { id: a, title: A, manual: true, signoffs: { role: cto, any-of: [{ role: engineer }] } }
                  - { id: b, title: B, manual: true, signoffs: { any-of: [] } }
                  - { id: c, title: C, manual: true, signoffs: { any-of: [{ count: 3, role: engineer }, { role: ceo }] } }
                  - { id: d, title: D, manual: true, signoffs: { carry: always } }
            """
        ).map(\.description).joined(separator: "\n")
        #expect(problems.contains("test.yml:6:"), "\(problems)")
        #expect(problems.contains("put `count`, `distinct` and `role` inside its entries"), "\(problems)")
        #expect(problems.contains("`any-of:` needs at least one group"), "\(problems)")
        #expect(
            problems.contains(
                "needs 3 distinct sign-offs from `engineer`, which has 1 person: it can never be satisfied"),
            "\(problems)")
        #expect(problems.contains("unknown role `ceo`"), "\(problems)")
        #expect(problems.contains("`always` is not a carry rule; expected `same-commit`"), "\(problems)")
    }
}
