import Foundation
import ShipcheckStore
import Testing

/// The encoding docs/trust.md writes down, held to its test vectors.
@Suite struct AuditVectorTests {
    @Test func theDocumentedVectorsHold() throws {
        let row = StoreRow(
            .records,
            [
                "kind": "lock", "id": "production", "subject": nil, "environment": "production",
                "actor": "ana@example.com", "at": "2026-01-01T00:00:00.000Z", "until": nil, "body": "{}",
            ])
        #expect(row.digest == "4d8d15037798a774f18da3c7f9e29d83d82497312ba8ac76e0de5573a6c74c5d")
        #expect(row.key == "lock/production")
        let hash = AuditEvent.hash(
            id: "00000000000000000000000000000001", at: "2026-01-01T00:00:00.000Z", kind: "record-lock",
            table: "records", key: row.key, rowDigest: row.digest, previousHash: AuditEvent.genesis)
        #expect(hash == "b3479ce6773ea715b13bccd9bb417d1b8fb1a1a17cd71883c1c708c1f45cb8a8")
        let v2 = AuditEvent.hashV2(
            seq: 1, id: "00000000000000000000000000000001", at: "2026-01-01T00:00:00.000Z", kind: "record-lock",
            table: "records", key: row.key, rowDigest: row.digest, previousHash: AuditEvent.genesis)
        #expect(v2 == "3b60ff49dc9dec72ebd5a5cc6a4db47efd01ee2175ecb567fb59ba8694aaf9aa")
        let documented = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../docs/trust.md"), encoding: .utf8)
        #expect(
            documented.contains(row.digest) && documented.contains(hash) && documented.contains(v2),
            "docs/trust.md holds these vectors")
    }
}
