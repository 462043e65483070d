/// A base URL the checklist's commands repeat (`https://mina.replit.app`), made a variable so that
/// one imported file serves production, staging and a local run: commands read `${{ vars.NAME }}`,
/// and each environment can set its own value.
struct ServiceTarget: Equatable {
    var name: String
    var url: String
    /// Source lines of the items whose commands used it.
    var lines: [Int]
}

enum ServiceTargets {
    /// Finds the base URLs used by commands of two or more items, rewrites those commands to read
    /// the variable, and returns the variables, the most used first (`BASE_URL`).
    static func extract(_ items: inout [FoundItem]) -> [ServiceTarget] {
        var lines: [String: [Int]] = [:]
        // In the order the document first uses them, so that ties name the same variable every time.
        var order: [String] = []
        for item in items {
            for url in item.commands.flatMap(baseURLs) where lines[url]?.last != item.line {
                if lines[url] == nil { order.append(url) }
                lines[url, default: []].append(item.line)
            }
        }
        // The most used first; among equals, the first used.
        let repeated = order.filter { (lines[$0]?.count ?? 0) >= 2 }.enumerated()
            .sorted { a, b in
                let (countA, countB) = (lines[a.element]?.count ?? 0, lines[b.element]?.count ?? 0)
                return countA != countB ? countA > countB : a.offset < b.offset
            }
            .map(\.element)
        var targets: [ServiceTarget] = []
        for url in repeated {
            var name = targets.isEmpty ? "BASE_URL" : variableName(for: url)
            while targets.contains(where: { $0.name == name }) { name += "_2" }
            targets.append(ServiceTarget(name: name, url: url, lines: (lines[url] ?? []).sorted()))
        }
        guard !targets.isEmpty else { return [] }
        for index in items.indices {
            items[index].commands = items[index].commands.map { command in
                targets.reduce(command) { replace($1.url, with: "${{ vars.\($1.name) }}", in: $0) }
            }
        }
        return targets
    }

    static let schemes = ["https://", "http://", "wss://", "ws://"]

    /// `scheme://host[:port]` of each URL in a command.
    static func baseURLs(in command: String) -> [String] {
        var found: [String] = []
        let bytes = Array(command.utf8)
        var index = 0
        while index < bytes.count {
            guard let scheme = schemes.first(where: { bytes[index...].starts(with: $0.utf8) }),
                index == 0 || !isHostByte(bytes[index - 1])
            else {
                index += 1
                continue
            }
            var end = index + scheme.utf8.count
            let hostStart = end
            while end < bytes.count, isHostByte(bytes[end]) || bytes[end] == 58 { end += 1 }
            let host = String(decoding: bytes[hostStart..<end], as: UTF8.self)
            // A host with a dot (or localhost), not a placeholder already made a variable.
            if host.contains(".") || host.hasPrefix("localhost") {
                found.append(String(decoding: bytes[index..<end], as: UTF8.self))
            }
            index = end
        }
        return found
    }

    static func isHostByte(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 45
            || byte == 46
    }

    /// `url` replaced where it stands whole (not followed by more of a host or port).
    static func replace(_ url: String, with replacement: String, in command: String) -> String {
        var result = ""
        var rest = Substring(command)
        while let found = rest.firstRange(of: url) {
            let next = rest[found.upperBound...].utf8.first
            let whole = next.map { !isHostByte($0) && $0 != 58 } ?? true
            result += rest[..<found.lowerBound]
            result += whole ? replacement : String(rest[found])
            rest = rest[found.upperBound...]
        }
        return result + rest
    }

    /// `https://api.payments.internal:8443` → `API_URL`.
    static func variableName(for url: String) -> String {
        let host = url.split(separator: "/").last.map(String.init) ?? url
        let label = host.split(separator: ".").first.map(String.init) ?? "SERVICE"
        let name = label.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return (name.first?.isLetter == true ? name : "SERVICE_" + name) + "_URL"
    }
}
