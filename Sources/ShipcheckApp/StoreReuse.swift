import Crypto
public import Foundation
import ShipcheckChecks
public import ShipcheckCore
public import ShipcheckStore

/// Reuse of earlier passing results through the run store: an item's key is the digest of its
/// definition, the environment, the run's variables and its declared inputs.
public struct StoreReuse: EvidenceReuse {
    public let store: RunStore
    /// The repository read once for the whole run.
    let snapshot: InputSnapshot

    public func key(for item: Item, variables: [String: String], environment name: String?) async -> String? {
        guard let inputs = item.inputs,
            let digest = await snapshot.digest(inputs)
        else { return nil }
        var text = "item \(item.id)\ndefinition \(item.definition)\nenvironment \(name ?? "-")\n"
        for (variable, value) in variables.sorted(by: { $0.key < $1.key }) { text += "var \(variable)=\(value)\n" }
        text += "inputs \(digest)"
        return Hex.string(SHA256.hash(data: Data(text.utf8)))
    }

    public func find(key: String, within ttl: Double) async -> (result: ItemResult, runID: String, recordedAt: Date)? {
        try? await store.reusable(key: key, since: store.now().addingTimeInterval(-ttl))
    }
}
