import Foundation

/// A small streaming XML reader for reports: start and end tags with their attributes, read in
/// chunks so that a large file keeps memory flat. Comments, CDATA, processing instructions and
/// doctypes are skipped; nesting is checked. Works on bytes, so invalid UTF-8 cannot crash it
/// (FoundationXML's parser traps on some malformed comments, hence this reader).
struct XMLScanner {
    enum Event: Equatable {
        case start(name: String, attributes: [String: String], selfClosing: Bool)
        case end(name: String)
    }

    struct SyntaxError: Error, CustomStringConvertible {
        let message: String
        let line: Int
        var description: String { "\(message) at line \(line)" }
    }

    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private let read: () -> [UInt8]?
    private(set) var line = 1
    private var open: [String] = []
    private var sawRoot = false
    private var pendingEnd: String?

    static let chunkSize = 1 << 16

    init(data: Data) {
        var remaining: Data? = data
        read = {
            defer { remaining = nil }
            return remaining.map { [UInt8]($0) }
        }
    }

    init(handle: FileHandle) {
        read = {
            let data = handle.readData(ofLength: XMLScanner.chunkSize)
            return data.isEmpty ? nil : [UInt8](data)
        }
    }

    /// No single tag, comment or text run may be longer: memory stays bounded on any input.
    static let maximumConstruct = 16 * 1_048_576
    private(set) var overflowed = false

    /// Makes sure `count` bytes from `position` are buffered, reading more as needed.
    private mutating func fill(_ count: Int) -> Bool {
        while buffer.count - position < count {
            if buffer.count - position > Self.maximumConstruct {
                overflowed = true
                return false
            }
            guard !atEnd, let chunk = read() else {
                atEnd = true
                return false
            }
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            buffer.append(contentsOf: chunk)
        }
        return true
    }

    /// Index of `pattern` at or after `from`, reading more as needed.
    private mutating func find(_ pattern: [UInt8], from offset: Int) -> Int? {
        var start = position + offset
        while true {
            let limit = buffer.count - pattern.count
            if start <= limit {
                var index = start
                while index <= limit {
                    if buffer[index] == pattern[0]
                        && (pattern.count == 1 || Array(buffer[index..<index + pattern.count]) == pattern)
                    {
                        return index
                    }
                    index += 1
                }
                start = max(start, limit + 1)
            }
            let consumed = position
            guard fill(buffer.count - position + 1) else { return nil }
            start -= consumed - position
        }
    }

    private mutating func consume(to end: Int) {
        for byte in buffer[position..<end] where byte == 0x0A { line += 1 }
        position = end
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(message: message, line: line)
    }

    mutating func next() throws(SyntaxError) -> Event? {
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name: name)
        }
        while true {
            // Text between tags is not kept: look for `<` in what is buffered, then read on.
            var found = buffer[position...].firstIndex(of: UInt8(ascii: "<"))
            while found == nil {
                if open.isEmpty, buffer[position...].contains(where: { !Self.isSpace($0) }) {
                    throw error("text outside the root element")
                }
                consume(to: buffer.count)
                guard fill(1) else { break }
                found = buffer[position...].firstIndex(of: UInt8(ascii: "<"))
            }
            guard let lt = found else {
                if !open.isEmpty { throw error("the document ends inside <\(open.last!)>") }
                if !sawRoot { throw error("no root element") }
                return nil
            }
            if open.isEmpty, buffer[position..<lt].contains(where: { !Self.isSpace($0) }) {
                throw error("text outside the root element")
            }
            consume(to: lt)
            guard fill(2) else { throw error("the document ends inside a tag") }
            let second = buffer[position + 1]
            if second == UInt8(ascii: "!") {
                _ = fill(9)
                let head = Array(buffer[position..<min(buffer.count, position + 9)])
                if head.starts(with: Array("<!--".utf8)) {
                    guard let end = find(Array("-->".utf8), from: 4) else {
                        throw error(overflowed ? "a comment longer than 16 MiB" : "a comment is not closed")
                    }
                    consume(to: end + 3)
                } else if head.starts(with: Array("<![CDATA[".utf8)) {
                    if open.isEmpty { throw error("CDATA outside the root element") }
                    guard let end = find(Array("]]>".utf8), from: 9) else {
                        throw error(overflowed ? "a CDATA section longer than 16 MiB" : "a CDATA section is not closed")
                    }
                    consume(to: end + 3)
                } else {
                    guard let end = find([UInt8(ascii: ">")], from: 2) else {
                        throw error("a declaration is not closed")
                    }
                    consume(to: end + 1)
                }
                continue
            }
            if second == UInt8(ascii: "?") {
                guard let end = find(Array("?>".utf8), from: 2) else {
                    throw error("a processing instruction is not closed")
                }
                consume(to: end + 2)
                continue
            }
            return try tag()
        }
    }

    private mutating func tag() throws(SyntaxError) -> Event {
        // Find the closing `>` outside quotes.
        var index = position + 1
        var quote: UInt8?
        while true {
            if index >= buffer.count {
                let offset = index - position
                guard fill(offset + 1) else {
                    throw error(overflowed ? "a tag longer than 16 MiB" : "the document ends inside a tag")
                }
                index = position + offset
            }
            let byte = buffer[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                break
            } else if byte == UInt8(ascii: "<") {
                throw error("`<` inside a tag")
            }
            index += 1
        }
        let body = Array(buffer[(position + 1)..<index])
        consume(to: index + 1)
        if body.first == UInt8(ascii: "/") {
            let name = String(decoding: body.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let top = open.popLast() else { throw error("</\(name)> closes nothing") }
            guard top == name else { throw error("</\(name)> closes <\(top)>") }
            return .end(name: name)
        }
        var selfClosing = false
        var content = body[...]
        if content.last == UInt8(ascii: "/") {
            selfClosing = true
            content = content.dropLast()
        }
        let nameEnd = content.firstIndex(where: Self.isSpace) ?? content.endIndex
        let name = String(decoding: content[content.startIndex..<nameEnd], as: UTF8.self)
        guard !name.isEmpty, !name.contains("=") else { throw error("a tag without a name") }
        if open.isEmpty {
            if sawRoot { throw error("a second root element <\(name)>") }
            sawRoot = true
        }
        let attributes = try Self.attributes(content[nameEnd...], line: line)
        if selfClosing {
            pendingEnd = name
        } else {
            open.append(name)
        }
        return .start(name: name, attributes: attributes, selfClosing: selfClosing)
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func attributes(_ bytes: ArraySlice<UInt8>, line: Int) throws(SyntaxError) -> [String: String] {
        var result: [String: String] = [:]
        var rest = bytes
        while true {
            rest = rest.drop(while: isSpace)
            guard !rest.isEmpty else { return result }
            guard let equals = rest.firstIndex(of: UInt8(ascii: "=")) else {
                throw SyntaxError(message: "an attribute without a value", line: line)
            }
            let name = String(decoding: rest[rest.startIndex..<equals], as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            rest = rest[(equals + 1)...].drop(while: isSpace)
            guard let quote = rest.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"),
                let close = rest.dropFirst().firstIndex(of: quote)
            else {
                throw SyntaxError(message: "attribute `\(name)` is not quoted", line: line)
            }
            result[name] = decodeEntities(String(decoding: rest[(rest.startIndex + 1)..<close], as: UTF8.self))
            rest = rest[(close + 1)...]
        }
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let hex = entity.hasPrefix("#x") || entity.hasPrefix("#X")
                let digits = entity.dropFirst(hex ? 2 : 1)
                if entity.hasPrefix("#"), let code = UInt32(digits, radix: hex ? 16 : 10),
                    let scalar = Unicode.Scalar(code)
                {
                    out.unicodeScalars.append(scalar)
                } else {
                    out += "&" + entity + ";"
                }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }
}
