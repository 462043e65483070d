import Crypto
public import Foundation
public import ShipcheckCore
public import ShipcheckStore

extension Attestations {
    /// SHA-256 (hex) of a file, for `--artifact`.
    public static func sha256(ofFile path: String) throws(CommandFailure) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("--artifact: cannot read \(path)", .usage)
        }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}

extension StoreReader {
    /// A run (or a sharded group's verdict) and the audit chain's head, for an attestation.
    public func attestationInputs(_ id: String) async throws(CommandFailure)
        -> (run: RunResult, head: (seq: Int64, hash: String)?)
    {
        let run = try await run(id)
        return (run.result, try await reading { try await $0.auditHead() })
    }
}
