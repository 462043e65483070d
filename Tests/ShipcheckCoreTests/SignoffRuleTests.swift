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
}
