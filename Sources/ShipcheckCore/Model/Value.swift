import Foundation

/// A typed fact value. Durations are kept apart from plain numbers so that
/// `duration < 5` is caught as a unit mistake instead of silently comparing seconds.
public enum Value: Sendable, Hashable {
    case number(Double)
    /// Seconds.
    case duration(Double)
    case string(String)
    case bool(Bool)
    case list([Value])

    public var typeName: String {
        switch self {
        case .number: "number"
        case .duration: "duration"
        case .string: "string"
        case .bool: "boolean"
        case .list: "list"
        }
    }
}

extension Value: CustomStringConvertible {
    /// How a value reads in explanations and reports: `4.84`, `1.25s`, `"healthy"`.
    public var description: String {
        switch self {
        case .number(let number): Value.format(number)
        case .duration(let seconds): Value.formatDuration(seconds)
        case .string(let string): "\"\(string)\""
        case .bool(let bool): bool ? "true" : "false"
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// A value without quotes, for summaries.
    public var plain: String {
        if case .string(let string) = self { return string }
        return description
    }

    static func format(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "inf" : "-inf" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        var text = String(format: "%.4f", number)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    public static func formatDuration(_ seconds: Double) -> String {
        if seconds < 1 { return Value.format((seconds * 1000).rounded()) + "ms" }
        if seconds < 60 { return Value.format((seconds * 100).rounded() / 100) + "s" }
        let minutes = Int(seconds / 60)
        let rest = Int(seconds.rounded()) - minutes * 60
        return rest == 0 ? "\(minutes)m" : "\(minutes)m\(rest)s"
    }
}

// MARK: - JSON

extension Value: Codable {
    private enum CodingKeys: String, CodingKey { case duration }

    /// Durations encode as `{"duration": seconds}` so that a stored run reads back typed.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .number(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number.isFinite ? number : 0)
        case .duration(let seconds):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(seconds, forKey: .duration)
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .bool(let bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        case .list(let values):
            var container = encoder.singleValueContainer()
            try container.encode(values)
        }
    }

    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: CodingKeys.self),
            let seconds = try? keyed.decode(Double.self, forKey: .duration)
        {
            self = .duration(seconds)
            return
        }
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else {
            self = .list(try container.decode([Value].self))
        }
    }
}

/// The facts a check produced, by dotted name (`tests.failed`, `json.status`).
public typealias Facts = [String: Value]
