import Foundation
import Testing

/// Signed checkpoints of the audit chain's head catch what the chain alone cannot: someone with the
/// database who rewrites a row and recomputes every later hash, or cuts the tail off, leaves a chain
/// that verifies; a checkpoint kept elsewhere does not hold for it.
@Suite struct CheckpointCLITests {
    /// Rewrites the SQLite store as an attacker with the file would: `rewrite` turns run 1's failed
    /// item into a pass and recomputes every digest and hash after it; `truncate` cuts every event
    /// and row after run 1. Both drop the stored checkpoints. Uses scripts/verify-audit.py's own
    /// encoding functions, so the result is a chain that verifies.
    static let attacker = """
        import importlib.util, json, sqlite3, sys
        spec = importlib.util.spec_from_file_location("va", sys.argv[1])
        va = importlib.util.module_from_spec(spec); spec.loader.exec_module(va)
        mode, first_run = sys.argv[2], sys.argv[3]
        lines = [json.loads(l) for l in open("before.jsonl") if l.strip()]
        events = [l for l in lines if "seq" in l]
        rows = {(l["row"]["table"], l["row"]["key"]): l["row"] for l in lines if "row" in l}
        db = sqlite3.connect(".shipcheck/shipcheck.db")
        last_of_run = max(e["seq"] for e in events if e["key"].startswith(first_run))
        keep = []
        for e in events:
            if e["table"] == "records" and e["key"].startswith("checkpoint/"):
                continue
            if mode == "truncate" and e["seq"] > last_of_run:
                continue
            keep.append(e)
        kept_rows = {(e["table"], e["key"]) for e in keep}
        for (table, key), row in rows.items():
            if (table, key) not in kept_rows:
                where = " AND ".join("%s = ?" % c for c in {"runs": ["id"], "item_results": ["run_id", "item_id"], "records": ["kind", "id"]}[table])
                db.execute("DELETE FROM %s WHERE %s" % (table, where), key.split("/", 1) if table != "runs" else [key])
        if mode == "rewrite":
            key = first_run + "/bad"
            row = rows[("item_results", key)]
            row["cells"]["outcome"] = "pass"
            db.execute("UPDATE item_results SET outcome = 'pass' WHERE run_id = ? AND item_id = 'bad'", [first_run])
            digest = va.row_digest(row)
            for e in keep:
                if e["table"] == "item_results" and e["key"] == key:
                    e["rowDigest"] = digest
        previous = va.GENESIS
        for seq, e in enumerate(keep, 1):
            e["seq"], e["previousHash"], e["encoding"] = seq, previous, 2
            e["hash"] = va.event_hash(e)
            previous = e["hash"]
        db.execute("DELETE FROM audit_events")
        for e in keep:
            db.execute("INSERT INTO audit_events (seq, id, at, kind, row_table, row_key, row_digest, previous_hash, hash, encoding) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       [e["seq"], e["id"], e["at"], e["kind"], e["table"], e["key"], e["rowDigest"], e["previousHash"], e["hash"], 2])
        db.commit()
        """

    static let config = """
        version: 1
        environments: { production: {} }
        phases:
          pre-deploy:
            items:
              - { id: good, title: Good, run: "true" }
              - { id: bad, title: Bad, run: "test -e fixed" }
        """

    @Test(arguments: ["rewrite", "truncate"])
    func aCheckpointKeptElsewhereCatchesARecomputedChain(_ attack: String) throws {
        guard try CLI.toolsPresent("command -v ssh-keygen", otherwise: "ssh-keygen missing") else { return }
        let directory = try CLI.temporaryDirectory(with: Self.config)
        let setup = try CLI.shell(
            """
            set -e
            mkdir -p .shipcheck keys
            ssh-keygen -q -t ed25519 -N '' -f keys/auditor
            echo "auditor@example.com $(cut -d' ' -f1,2 keys/auditor.pub)" > .shipcheck/allowed_signers
            """, in: directory)
        #expect(setup.status == 0, "\(setup.stderr)")
        let auditor = ["SHIPCHECK_ACTOR": "auditor@example.com"]
        let first = try CLI.run(["run", "--env", "production", "--format", "json"], in: directory)
        #expect(first.status == 1)
        let runID = try #require(
            first.stdout.range(of: #"\d{8}-\d{6}-[0-9a-f]{8}"#, options: .regularExpression).map {
                String(first.stdout[$0])
            })
        _ = try CLI.shell("touch fixed", in: directory)
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 0)
        let unsigned = try CLI.run(["audit", "checkpoint"], in: directory, environment: auditor)
        #expect(unsigned.status == 1 && unsigned.stderr.contains("a checkpoint is signed"), "\(unsigned.stderr)")
        let signed = try CLI.run(
            ["audit", "checkpoint", "--key", "keys/auditor", "--out", "kept-elsewhere.json"], in: directory,
            environment: auditor)
        #expect(signed.status == 0, "\(signed.stdout)\(signed.stderr)")
        #expect(try CLI.run(["run", "--env", "production"], in: directory).status == 0)
        let before = try CLI.run(["audit", "verify", "--checkpoint", "kept-elsewhere.json"], in: directory)
        #expect(
            before.status == 0 && before.stdout.contains("holds the 2 signed checkpoints"),
            "\(before.stdout)\(before.stderr)")

        let export = try CLI.run(["audit", "export", "--rows"], in: directory)
        try export.stdout.write(to: directory.appendingPathComponent("before.jsonl"), atomically: true, encoding: .utf8)
        try Self.attacker.write(to: directory.appendingPathComponent("attack.py"), atomically: true, encoding: .utf8)
        let attacked = try CLI.shell(
            "python3 attack.py '\(AuditVerifierCLITests.verifier)' \(attack) \(runID)", in: directory)
        #expect(attacked.status == 0, "\(attacked.stderr)")

        // Without the checkpoint, both verifiers find a chain that holds: that is what a checkpoint is for.
        let verdicts = try AuditVerifierCLITests.verdicts([], in: directory)
        AuditVerifierCLITests.expectAgreement(verdicts, intact: true, "\(attack) with every hash recomputed")
        let caught = try CLI.run(["audit", "verify", "--checkpoint", "kept-elsewhere.json"], in: directory)
        #expect(caught.status == 1, "\(caught.stdout)\(caught.stderr)")
        #expect(caught.stderr.contains(attack == "rewrite" ? "rewritten:" : "truncated:"), "\(caught.stderr)")

        // A checkpoint file changed by hand (another hash) no longer verifies.
        let forged = try String(contentsOf: directory.appendingPathComponent("kept-elsewhere.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"seq\":", with: "\"seq\":1")
        try forged.write(to: directory.appendingPathComponent("forged.json"), atomically: true, encoding: .utf8)
        let refused = try CLI.run(["audit", "verify", "--checkpoint", "forged.json"], in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("does not match"), "\(refused.stderr)")
    }
}
