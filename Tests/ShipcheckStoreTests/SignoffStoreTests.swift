import Foundation
import ShipcheckStore
import Testing

@testable import ShipcheckCore

/// Sign-off rules judged on sign-offs recorded by several people in a real store (and in memory):
/// N of a role, distinct people, OR-groups, no self-approval, expiry, and carry-over by commit.
@Suite struct SignoffStoreTests {
    static let yaml = """
        version: 1
        roles:
          reviewer: [alice@mina.com, bob@mina.com, dave@mina.com]
          engineer: [alice@mina.com, bob@mina.com, dave@mina.com, ivan@mina.com]
          cto: [frank@mina.com]
        environments: { staging: {}, production: {} }
        phases:
          pre-deploy:
            items:
              - id: approved
                title: PR approved by 2 reviewers
                manual: true
                signoffs: { count: 2, distinct: true, role: reviewer, not: [author, deployer], carry: same-commit }
              - id: risky
                title: Risky change accepted
                manual: true
                signoffs: { any-of: [{ count: 2, role: engineer }, { count: 1, role: cto }] }
              - id: fresh
                title: On-call confirmed today
                manual: true
                signoffs: { role: engineer, expires: 24h }
              - id: notified
                title: Support notified
                manual: true
        """

    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    struct Round {
        let store: RunStore
        let checklist: Checklist

        /// A production run by `deployer` of commit `commit`, authored by `author`, judged now.
        func run(commit: String = "c1", deployer: String = "ci@mina.com", author: String = "dave@mina.com")
            async -> [String: ItemResult]
        {
            var options = RunOptions(
                phase: .preDeploy, environment: "production", actor: deployer,
                workingDirectory: URL(fileURLWithPath: NSTemporaryDirectory()), processEnvironment: [:],
                toolVersion: "test")
            options.provenance.commit = commit
            options.provenance.author = author
            let policy = Policy(checklist)
            let source = StoreSignoffs(
                store: store, policy: policy, environment: "production", commit: commit,
                satisfies: { item, given in
                    guard case .manual(let requirement) = item.body else { return true }
                    return policy.judge(
                        given, against: requirement, environment: "production", deployer: deployer, author: author,
                        at: now
                    )
                    .satisfied
                })
            let result = await Engine(
                checklist: checklist, options: options,
                environment: RunEnvironment(now: { now }, makeRunID: { "run" }), signoffSource: source
            ).run()
            return Dictionary(uniqueKeysWithValues: result.items.map { ($0.id, $0) })
        }

        func sign(
            _ item: String, _ who: String, env: String = "production", commit: String = "c1", hoursAgo: Double = 1
        ) async throws {
            _ = try await store.recordSignoff(
                item: item, environment: env, commit: commit, actor: Identity(who, source: .flag), note: nil,
                at: now.addingTimeInterval(-hoursAgo * 3600))
        }
    }

    @Test(arguments: BackendKind.allCases)
    func rulesHoldOverRecordedSignoffsFromSeveralPeople(_ kind: BackendKind) async throws {
        guard let test = try await TestStore.make(kind, now: { Self.now }) else {
            // The conformance suite already says loudly when no PostgreSQL was started.
            return
        }
        let round = Round(
            store: test.store, checklist: try ConfigLoader(kinds: []).load(yaml: Self.yaml, file: "t.yml"))

        var results = await round.run()
        #expect(results.values.allSatisfy { $0.outcome == .pending }, "\(results.mapValues(\.reason))")
        #expect(
            results["risky"]?.reason == "awaiting 2 sign-offs from role engineer, or 1 sign-off from role cto",
            "\(results["risky"]?.reason ?? "")")

        // N of M, distinct, roles, self-approval: one reviewer twice, a non-reviewer, the author, the deployer.
        try await round.sign("approved", "alice@mina.com")
        try await round.sign("approved", "alice@mina.com", hoursAgo: 0.5)
        try await round.sign("approved", "ivan@mina.com")
        try await round.sign("approved", "dave@mina.com")
        results = await round.run(deployer: "bob@mina.com")
        try await round.sign("approved", "bob@mina.com", hoursAgo: 0.25)
        var approved = try #require(results["approved"])
        #expect(approved.outcome == .pending)
        #expect(approved.reason?.contains("(1 of 2 given)") == true, "\(approved.reason ?? "")")
        #expect(approved.reason?.contains("ivan@mina.com does not hold the role reviewer") == true)
        #expect(approved.reason?.contains("dave@mina.com wrote the change and may not approve it") == true)
        results = await round.run(deployer: "bob@mina.com")
        approved = try #require(results["approved"])
        #expect(approved.reason?.contains("bob@mina.com runs this gate and may not approve it") == true)
        results = await round.run(deployer: "ci@mina.com")
        #expect(results["approved"]?.outcome == .pass)
        #expect(
            results["approved"]?.reason
                == "signed off by alice@mina.com (claimed with --actor), bob@mina.com (claimed with --actor)")
        #expect(results["approved"]?.signoffs.first?.via == .flag, "how the signer was known is kept")

        // OR-group: one engineer is not enough; the CTO alone is; two engineers are.
        try await round.sign("risky", "ivan@mina.com")
        #expect(await round.run()["risky"]?.outcome == .pending)
        try await round.sign("risky", "frank@mina.com")
        results = await round.run()
        #expect(results["risky"]?.outcome == .pass)
        #expect(
            results["risky"]?.reason == "signed off by frank@mina.com (claimed with --actor) (1 sign-off from role cto)"
        )

        // Expiry: a sign-off from 25 hours ago no longer counts; one from 23 hours ago does.
        try await round.sign("fresh", "ivan@mina.com", hoursAgo: 25)
        let stale = await round.run()["fresh"]
        #expect(stale?.outcome == .pending)
        #expect(stale?.reason?.contains("ivan@mina.com's sign-off expired (older than 24h)") == true)
        try await round.sign("fresh", "alice@mina.com", hoursAgo: 23)
        #expect(await round.run()["fresh"]?.outcome == .pass)

        // Carry-over by commit: staging's approvals of c2 count for c2 in production; the item
        // without `carry` counts only its own environment's.
        try await round.sign("approved", "alice@mina.com", env: "staging", commit: "c2", hoursAgo: 2)
        try await round.sign("approved", "bob@mina.com", env: "staging", commit: "c2")
        try await round.sign("notified", "alice@mina.com", env: "staging", commit: "c2")
        results = await round.run(commit: "c2")
        #expect(results["approved"]?.outcome == .pass)
        #expect(
            results["approved"]?.reason
                == "signed off by alice@mina.com in staging (claimed with --actor), bob@mina.com in staging (claimed with --actor)"
        )
        #expect(results["notified"]?.outcome == .pending)
        // And a sign-off for another commit never carries.
        results = await round.run(commit: "c3")
        #expect(results["approved"]?.outcome == .pending)
        try await test.store.backend.close()
    }
}
