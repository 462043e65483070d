import Foundation
import Testing

/// Decisions signed with real `ssh-keygen` keys (ed25519, ECDSA, RSA, one through ssh-agent) and
/// verified whenever they are read. In an `identity: signed` environment every attack the issue
/// lists fails with a clear message: a claimed `--actor` waiving, overriding or unfreezing; one key
/// signing as two reviewers; the commit's author signing as someone else; a row written straight
/// into the store with a made-up or borrowed signature; an expired or unknown key.
@Suite(.serialized) struct SignedDecisionsCLITests {
    static let config = """
        version: 1
        roles:
          cto: [frank@example.com]
          reviewers: [carol@example.com, dave@example.com, erin@example.com, gina@example.com]
        environments:
          production: { identity: signed, bypass: [cto] }
          staging: { bypass: [cto] }
        phases:
          pre-deploy:
            items:
              - { id: lint, title: Lint, run: "exit 1" }
              - id: review
                title: Reviewed by two
                manual: true
                signoffs: { count: 2, distinct: true, role: reviewers, not: [author] }
        """

    /// A repository whose last commit erin wrote, with a key per person and allowed_signers listing them.
    static func repository() throws -> URL? {
        guard try CLI.toolsPresent("command -v ssh-keygen && command -v ssh-agent", otherwise: "ssh-keygen missing")
        else { return nil }
        let directory = try CLI.temporaryDirectory(with: config)
        let setup = try CLI.shell(
            """
            set -e
            mkdir -p keys .shipcheck
            ssh-keygen -q -t ed25519 -N '' -C frank -f keys/frank
            ssh-keygen -q -t ed25519 -N '' -C erin -f keys/erin
            ssh-keygen -q -t ecdsa -b 256 -N '' -C carol -f keys/carol
            ssh-keygen -q -t rsa -b 3072 -N '' -C dave -f keys/dave
            ssh-keygen -q -t ed25519 -N '' -C gina -f keys/gina
            ssh-keygen -q -t ed25519 -N '' -C mallory -f keys/mallory
            {
              echo "# who signs shipcheck decisions"
              echo "frank@example.com namespaces=\\"shipcheck\\" $(cut -d' ' -f1,2 keys/frank.pub)"
              echo "erin@example.com $(cut -d' ' -f1,2 keys/erin.pub)"
              echo "carol@example.com $(cut -d' ' -f1,2 keys/carol.pub)"
              echo "dave@example.com $(cut -d' ' -f1,2 keys/dave.pub)"
              echo "gina@example.com valid-before=\\"20200101Z\\" $(cut -d' ' -f1,2 keys/gina.pub)"
            } > .shipcheck/allowed_signers
            git init -q
            echo one > history.txt
            git add -A
            git -c user.email=erin@example.com -c user.name=erin commit -qm first
            """, in: directory)
        #expect(setup.status == 0, "\(setup.stderr)")
        return directory
    }

    @Test func aClaimedActorCannotBypassASignedEnvironment() throws {
        guard let directory = try Self.repository() else { return }
        let waive = ["waive", "lint", "--env", "production", "--until", "1h", "--reason", "known", "--actor"]
        let unsigned = try CLI.run(waive + ["frank@example.com"], in: directory)
        #expect(unsigned.status == 1, "\(unsigned.stdout)\(unsigned.stderr)")
        #expect(
            unsigned.stderr.contains("production counts only signed decisions (`identity: signed`)"),
            "\(unsigned.stderr)")
        // erin claims to be frank and signs with her own key.
        let borrowed = try CLI.run(waive + ["frank@example.com", "--key", "keys/erin"], in: directory)
        #expect(borrowed.status == 1, "\(borrowed.stdout)\(borrowed.stderr)")
        #expect(
            borrowed.stderr.contains("is listed for erin@example.com, not for frank@example.com"), "\(borrowed.stderr)")
        let override = try CLI.run(
            [
                "override", "window", "--env", "production", "--until", "1h", "--reason", "x", "--actor",
                "frank@example.com", "--key", "keys/mallory",
            ], in: directory)
        #expect(override.status == 1 && override.stderr.contains("is not in"), "\(override.stderr)")
        #expect(
            !FileManager.default.fileExists(atPath: directory.appendingPathComponent(".shipcheck/shipcheck.db").path),
            "a refused decision writes nothing")

        // A freeze (anyone may declare one, signed), then erin cannot end it as frank; frank can.
        let freeze = try CLI.run(
            [
                "freeze", "--env", "production", "--for", "2h", "--reason", "incident", "--actor", "erin@example.com",
                "--key", "keys/erin",
            ], in: directory)
        #expect(freeze.status == 0, "\(freeze.stdout)\(freeze.stderr)")
        let claimedEnd = try CLI.run(
            ["unfreeze", "--env", "production", "--actor", "frank@example.com"], in: directory)
        #expect(
            claimedEnd.status == 1 && claimedEnd.stderr.contains("counts only signed decisions"), "\(claimedEnd.stderr)"
        )
        let end = try CLI.run(
            ["unfreeze", "--env", "production", "--actor", "frank@example.com", "--key", "keys/frank"], in: directory)
        #expect(end.status == 0, "\(end.stdout)\(end.stderr)")

        // frank's own signed waiver counts and says it is signed.
        let waived = try CLI.run(waive + ["frank@example.com", "--key", "keys/frank"], in: directory)
        #expect(waived.status == 0, "\(waived.stdout)\(waived.stderr)")
        let run = try CLI.run(["run", "--env", "production"], in: directory)
        #expect(
            run.stdout.contains("waived by frank@example.com until") && run.stdout.contains("(signed)"), "\(run.stdout)"
        )
        let plan = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(plan.stdout.contains("~ lint — Lint: waived by frank@example.com until"), "\(plan.stdout)")
        #expect(plan.stdout.contains("(signed): known"), "\(plan.stdout)")
        #expect(try CLI.run(["audit", "verify"], in: directory).status == 0)
    }

    @Test func oneKeyIsOneReviewerAndTheAuthorCannotSignAsAnother() throws {
        guard let directory = try Self.repository() else { return }
        func signoff(_ actor: String, key: String, env: String = "production", extra: [String: String] = [:]) throws
            -> CLI.Output
        {
            try CLI.run(
                ["signoff", "review", "--env", env, "--note", "ok", "--actor", actor, "--key", key], in: directory,
                environment: extra)
        }
        // erin wrote the commit: as herself she may not; as carol, her key does not say carol.
        let asHerself = try signoff("erin@example.com", key: "keys/erin")
        #expect(asHerself.status == 1 && asHerself.stderr.contains("wrote this commit"), "\(asHerself.stderr)")
        let asCarol = try signoff("carol@example.com", key: "keys/erin")
        #expect(asCarol.status == 1, "\(asCarol.stdout)")
        #expect(
            asCarol.stderr.contains("is listed for erin@example.com, not for carol@example.com"), "\(asCarol.stderr)")
        // An expired key, and an unknown one, are refused.
        let expired = try signoff("gina@example.com", key: "keys/gina")
        #expect(expired.status == 1 && expired.stderr.contains("the key expired at 2020-01-01"), "\(expired.stderr)")
        let unknown = try signoff("dave@example.com", key: "keys/mallory")
        #expect(unknown.status == 1 && unknown.stderr.contains("is not in"), "\(unknown.stderr)")

        // carol signs with ECDSA; dave with RSA through ssh-agent, the private key out of reach.
        #expect(try signoff("carol@example.com", key: "keys/carol").status == 0)
        let agent = try CLI.shell(
            "eval $(ssh-agent -s) >/dev/null && ssh-add -q keys/dave 2>/dev/null && mv keys/dave keys/dave.away && echo $SSH_AUTH_SOCK $SSH_AGENT_PID",
            in: directory)
        let parts = agent.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(agent.status == 0 && parts.count == 2, "\(agent.stderr)")
        defer { _ = try? CLI.shell("kill \(parts.last ?? "0")", in: directory) }
        let viaAgent = try signoff(
            "dave@example.com", key: "keys/dave.pub", extra: ["SSH_AUTH_SOCK": parts.first ?? ""])
        #expect(viaAgent.status == 0, "\(viaAgent.stdout)\(viaAgent.stderr)")
        let signoffs = try CLI.run(["signoffs", "--env", "production"], in: directory)
        #expect(
            signoffs.stdout.contains("signed off by carol@example.com (signed), dave@example.com (signed)"),
            "\(signoffs.stdout)")

        // Two names on one key: the key signs for both, and counts once.
        let shared = try CLI.temporaryDirectory(with: Self.config)
        let copy = try CLI.shell(
            """
            set -e
            cp -R '\(directory.path)/keys' '\(directory.path)/.git' '\(directory.path)/history.txt' .
            mkdir -p .shipcheck
            echo "carol@example.com,dave@example.com $(cut -d' ' -f1,2 keys/carol.pub)" > .shipcheck/allowed_signers
            """, in: shared)
        #expect(copy.status == 0, "\(copy.stderr)")
        for actor in ["carol@example.com", "dave@example.com"] {
            let done = try CLI.run(
                ["signoff", "review", "--env", "production", "--actor", actor, "--key", "keys/carol"], in: shared)
            #expect(done.status == 0, "\(done.stderr)")
        }
        let one = try CLI.run(["signoffs", "--env", "production"], in: shared)
        #expect(one.status == 1, "\(one.stdout)")
        #expect(
            one.stdout.contains("dave@example.com's sign-off is signed with the key of carol@example.com's"),
            "\(one.stdout)")
    }

    @Test func aRowWrittenStraightIntoTheStoreCountsForNothing() throws {
        guard let directory = try Self.repository() else { return }
        let waived = try CLI.run(
            [
                "waive", "lint", "--env", "staging", "--until", "1h", "--reason", "flaky", "--actor",
                "frank@example.com", "--key", "keys/frank",
            ], in: directory)
        #expect(waived.status == 0, "\(waived.stderr)")
        // The staging waiver's signature, borrowed for a production row; a made-up one; none.
        let rows = [
            ("forged-1", "(SELECT json_set(body, '$.reason', 'prod') FROM records WHERE kind = 'waiver')"),
            (
                "forged-2",
                "'{\"reason\":\"prod\",\"signature\":\"-----BEGIN SSH SIGNATURE-----\\nU1NIU0lHAAAAAQ==\\n-----END SSH SIGNATURE-----\"}'"
            ),
            ("forged-3", "'{\"reason\":\"prod\"}'"),
        ]
        for (id, body) in rows {
            let inserted = try SideDoorCLITests.sql(
                "INSERT INTO records (kind, id, subject, environment, actor, at, until, body) VALUES ('waiver', '\(id)', 'lint', 'production', 'frank@example.com', '2026-01-01T00:00:00.000Z', '2999-01-01T00:00:00.000Z', \(body))",
                in: directory)
            #expect(inserted.status == 0, "\(inserted.stderr)")
        }
        let plan = try CLI.run(["plan", "--env", "production"], in: directory)
        #expect(plan.status == 1, "\(plan.stdout)")
        #expect(plan.stdout.contains("forged-1") && plan.stdout.contains("does not match it"), "\(plan.stdout)")
        #expect(plan.stdout.contains("forged-2") && plan.stdout.contains("cannot be read"), "\(plan.stdout)")
        #expect(plan.stdout.contains("forged-3") && plan.stdout.contains("it is not signed"), "\(plan.stdout)")
        let run = try CLI.run(["run", "--env", "production"], in: directory)
        #expect(run.status == 1, "\(run.stdout)")
        #expect(!run.stdout.contains("waived by"), "\(run.stdout)")
        // In staging, the signed waiver holds; an unsigned one would count as claimed.
        let staging = try CLI.run(["run", "--env", "staging"], in: directory)
        #expect(
            staging.stdout.contains("waived by frank@example.com until") && staging.stdout.contains("(signed)"),
            "\(staging.stdout)")
        let claimed = try CLI.run(
            ["waive", "lint", "--env", "staging", "--until", "2h", "--reason", "x", "--actor", "frank@example.com"],
            in: directory)
        #expect(claimed.status == 0, "\(claimed.stderr)")
        let report = try CLI.run(["run", "--env", "staging"], in: directory)
        #expect(report.stdout.contains("(claimed with --actor)"), "\(report.stdout)")
    }
}
