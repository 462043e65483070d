public import Foundation
public import ShipcheckCore
public import ShipcheckStore

/// Where a manual item's sign-offs stand for an environment and commit, judged by the policy as a run
/// would judge them: what `shipcheck signoffs` lists and what `plan` counts as missing.
public struct SignoffStatus: Sendable {
    public var item: Item
    public var given: [Signoff]
    public var judgement: SignoffJudgement

    /// The status of each manual item among `items`, from the store's sign-offs. `deployer` is who
    /// would run the gate, when known (for `not: [deployer]`).
    public static func of(
        _ items: [Item], checklist: Checklist, store: RunStore, environment: String?, commit: String?,
        author: String?, deployer: String? = nil, at date: Date
    ) async throws -> [SignoffStatus] {
        let policy = Policy(checklist)
        var statuses: [SignoffStatus] = []
        for item in items {
            guard case .manual(let requirement) = item.body else { continue }
            let given = try await store.signoffs(
                item: item.id, environment: environment, commit: commit, carry: requirement.carry, policy: policy
            ).map(\.signoff)
            let judgement = policy.judge(
                given, against: requirement, environment: environment, deployer: deployer, author: author, at: date)
            statuses.append(SignoffStatus(item: item, given: given, judgement: judgement))
        }
        return statuses
    }

    /// `signed off by alice, bob`, or what is awaited and who could give it.
    public var summary: String {
        guard !judgement.satisfied else { return judgement.reason }
        let could = judgement.progress.map { step in
            let who = step.couldGive.map { $0.isEmpty ? "nobody left" : $0.joined(separator: ", ") } ?? "anyone"
            return (judgement.progress.count > 1 ? step.group.role.map { "\($0): " } ?? "" : "") + who
        }
        return judgement.reason + "; could give it: " + could.joined(separator: "; or ")
    }
}
