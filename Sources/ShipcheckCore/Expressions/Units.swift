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
    // On bytes: configurations hold tens of thousands of these.
    let bytes = Array(text.utf8)
    var position = 0
    var end = bytes.count
    while position < end, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") {
        position += 1
    }
    while end > position, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
    guard position < end else { return nil }
    var total = 0.0
    while position < end {
        let numberStart = position
        while position < end, (bytes[position] >= 0x30 && bytes[position] <= 0x39) || bytes[position] == 0x2E {
            position += 1
        }
        let unitStart = position
        while position < end, (bytes[position] | 0x20) >= 0x61, (bytes[position] | 0x20) <= 0x7A { position += 1 }
        guard unitStart > numberStart,
            let number = Double(String(decoding: bytes[numberStart..<unitStart], as: UTF8.self)),
            let (kind, factor) = Units.lookup(String(decoding: bytes[unitStart..<position], as: UTF8.self)),
            kind == .duration
        else { return nil }
        total += number * factor
    }
    return total
}
