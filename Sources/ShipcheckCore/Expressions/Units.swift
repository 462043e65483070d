import Foundation

/// Units accepted after a number in expressions and durations.
enum Units {
    enum Kind { case duration, number }

    /// (kind, factor): durations are in seconds, sizes in bytes, percentages stay on a 0–100 scale.
    static func lookup(_ unit: String) -> (kind: Kind, factor: Double)? {
        table[unit]
    }

    static let table: [String: (kind: Kind, factor: Double)] = [
        "ns": (.duration, 1e-9), "us": (.duration, 1e-6), "ms": (.duration, 0.001),
        "s": (.duration, 1), "m": (.duration, 60), "h": (.duration, 3600), "d": (.duration, 86_400),
        "%": (.number, 1),
        "B": (.number, 1), "KB": (.number, 1e3), "MB": (.number, 1e6), "GB": (.number, 1e9),
        "KiB": (.number, 1024), "MiB": (.number, 1_048_576), "GiB": (.number, 1_073_741_824),
    ]

    static let names = ["ms", "s", "m", "h", "d", "%", "B", "KB", "MB", "GB", "KiB", "MiB", "GiB"]

    static func value(_ number: Double, unit: String) -> Value {
        guard let (kind, factor) = lookup(unit) else { return .number(number) }
        return kind == .duration ? .duration(number * factor) : .number(number * factor)
    }
}

/// Parses a duration such as `90s`, `10m`, `1h30m` or `250ms` into seconds.
public func parseDuration(_ text: String) -> Double? {
    var total = 0.0
    var rest = Substring(text.trimmedSpaces)
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
        let digits = rest.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let number = Double(digits) else { return nil }
        rest = rest.dropFirst(digits.count)
        let unit = rest.prefix { $0.isLetter }
        rest = rest.dropFirst(unit.count)
        guard let (kind, factor) = Units.lookup(String(unit)), kind == .duration else { return nil }
        total += number * factor
    }
    return total
}
