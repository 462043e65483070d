/// What a name typed for a recorded run or deployment picks: its id, `latest` (the newest), or a
/// unique start of an id.
public enum NamedRecord: Sendable, Equatable {
    case found(String)
    /// A start of several ids: these.
    case ambiguous([String])
    case none

    /// `ids` newest first.
    public static func pick(_ name: String, newestFirst ids: [String]) -> NamedRecord {
        if ids.contains(name) { return .found(name) }
        let matching = name == "latest" ? Array(ids.prefix(1)) : ids.filter { $0.hasPrefix(name) }
        switch matching.count {
        case 0: return .none
        case 1: return .found(matching[0])
        default: return .ambiguous(matching)
        }
    }

    /// "`2026` is the start of 7 runs' ids (a, b, c, d, e, …): give more of it"
    public static func ambiguity(_ name: String, _ ids: [String], of noun: String) -> String {
        let names = ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? ", …" : "")
        return "`\(name)` is the start of \(ids.count) \(noun)' ids (\(names)): give more of it"
    }
}
