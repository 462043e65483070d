import Foundation
import ShipcheckCore

/// Flattens a JSON document into facts under a prefix: `{"status": "ok", "db": {"up": true}}`
/// gives `json.status` and `json.db.up`; arrays of scalars become lists, others index paths.
enum JSONFacts {
    static let maximumFacts = 10_000

    indirect enum JSON: Decodable {
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSON])
        case object([String: JSON])
        case null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let string = try? container.decode(String.self) {
                self = .string(string)
            } else if let array = try? container.decode([JSON].self) {
                self = .array(array)
            } else {
                self = .object(try container.decode([String: JSON].self))
            }
        }

        var scalar: Value? {
            switch self {
            case .bool(let bool): .bool(bool)
            case .number(let number): .number(number)
            case .string(let string): .string(string)
            default: nil
            }
        }
    }

    /// `json.*` facts of a body or message that looks like a JSON object or array; nothing otherwise.
    static func ifJSON(_ bytes: [UInt8], source: String) -> Facts {
        guard let first = bytes.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return [:] }
        return (try? parse(data: Data(bytes), prefix: "json", source: source)) ?? [:]
    }

    static func parse(data: Data, prefix: String, source: String) throws(CheckError) -> Facts {
        guard let json = try? JSONDecoder().decode(JSON.self, from: data) else {
            throw CheckError("\(source) is not valid JSON")
        }
        var facts: Facts = [:]
        flatten(json, path: prefix, into: &facts, depth: 0)
        if facts.count >= maximumFacts { facts[prefix + "._truncated"] = .bool(true) }
        return facts
    }

    private static func flatten(_ json: JSON, path: String, into facts: inout Facts, depth: Int) {
        guard facts.count < maximumFacts, depth < 32 else { return }
        switch json {
        case .object(let dictionary):
            // Sorted, so that a document past the cap keeps the same facts every time.
            for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
                flatten(value, path: path + "." + key, into: &facts, depth: depth + 1)
            }
        case .array(let array):
            let scalars = array.compactMap(\.scalar)
            if scalars.count == array.count {
                facts[path] = .list(scalars)
            } else {
                for (index, value) in array.enumerated() {
                    flatten(value, path: path + ".\(index)", into: &facts, depth: depth + 1)
                }
            }
        case .null:
            break
        default:
            if let value = json.scalar { facts[path] = value }
        }
    }
}
