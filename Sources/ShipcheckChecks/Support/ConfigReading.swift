import ShipcheckCore

extension ConfigNode {
    /// A size such as 64KiB or 4MB within `range`; reports the problem and returns nil otherwise.
    /// A mapping of header names to templates; nil when any value is not a valid template.
    func headerTemplates(knownVariables: Set<String>) -> [(name: String, value: Template)]? {
        var headers: [(name: String, value: Template)] = []
        var ok = true
        for (name, _, value) in mapping(expected: "a mapping of header names to values") ?? [] {
            if let template = value.template(knownVars: knownVariables) {
                headers.append((name, template))
            } else {
                ok = false
            }
        }
        return ok ? headers : nil
    }

    func size(in range: ClosedRange<Int>) -> Int? {
        guard let text = string() else { return nil }
        if let bytes = ByteSize.parse(text), range.contains(bytes) { return bytes }
        report(
            "expected a size from \(ByteSize.format(range.lowerBound)) to \(ByteSize.format(range.upperBound)) such as 64KiB or 4MB, got `\(text)`"
        )
        return nil
    }
}

enum ByteSize {
    static func parse(_ text: String) -> Int? {
        let digits = text.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits) else { return nil }
        let unit = text.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let factors: [String: Double] = [
            "": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9,
            "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824,
        ]
        guard let factor = factors[unit] else { return nil }
        return Int(number * factor)
    }

    /// Whole binary units where they fit: 1024 → "1KiB".
    static func format(_ bytes: Int) -> String {
        for (unit, factor) in [("GiB", 1_073_741_824), ("MiB", 1_048_576), ("KiB", 1024)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(unit)"
        }
        return "\(bytes)B"
    }
}

extension TLSOptions {
    static let parameters: [Parameter] = [
        Parameter("tls-verify", .boolean, "Verify the server's certificate (default true)."),
        Parameter("ca", .template, "A PEM file of extra trusted certificates."),
    ]

    /// `tls-verify` and `ca` of a kind's mapping.
    static func read(_ fields: [String: ConfigNode], knownVariables: Set<String>) -> TLSOptions {
        TLSOptions(
            verify: fields["tls-verify"]?.bool() ?? true,
            caFile: fields["ca"].flatMap { $0.template(knownVars: knownVariables) })
    }
}
