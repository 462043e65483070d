import Foundation
import ShipcheckCore

/// A small streaming XML reader for reports: start and end tags with their attributes, read in
/// chunks so that a large file keeps memory flat. Comments, CDATA, processing instructions and
/// doctypes are skipped; nesting is checked. Works on bytes, so invalid UTF-8 cannot crash it
/// (FoundationXML's parser traps on some malformed comments, hence this reader).
struct XMLScanner {
    enum Event: Equatable {
        case start(name: String, attributes: XMLAttributes, selfClosing: Bool)
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
    /// Newlines in the bytes already dropped from the buffer; lines are counted only when an error needs one.
    private var droppedLines = 0
    private var open: [String] = []
    private var sawRoot = false
    private var pendingEnd: String?

    static let chunkSize = 1 << 18

    init(data: Data) {
        var remaining: Data? = data
        read = {
            defer { remaining = nil }
            return remaining?.byteArray
        }
    }

    init(handle: FileHandle) {
        read = {
            let data = handle.readData(ofLength: XMLScanner.chunkSize)
            return data.isEmpty ? nil : data.byteArray
        }
    }

    /// No single tag, comment or text run may be longer: memory stays bounded on any input.
    static let maximumConstruct = 16 * 1_048_576
    private(set) var overflowed = false

    /// The line of the current position.
    var line: Int { droppedLines + Self.newlines(buffer, 0..<position) + 1 }

    static func newlines(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            var count = 0
            for index in range where buffer[index] == 0x0A { count += 1 }
            return count
        }
    }

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
                droppedLines += Self.newlines(buffer, 0..<position)
                buffer.removeFirst(position)
                position = 0
            }
            buffer.append(contentsOf: chunk)
        }
        return true
    }

    /// Index of `byte` at or after `from` in what is buffered.
    private func index(of byte: UInt8, from start: Int) -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBufferPointer { pointer -> Int? in
            guard let base = pointer.baseAddress, let found = memchr(base + start, Int32(byte), pointer.count - start)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// Index of `pattern` at or after `from`, reading more as needed.
    private mutating func find(_ pattern: [UInt8], from offset: Int) -> Int? {
        var start = position + offset
        while true {
            while let candidate = index(of: pattern[0], from: start), candidate + pattern.count <= buffer.count {
                if buffer[candidate..<candidate + pattern.count].elementsEqual(pattern) { return candidate }
                start = candidate + 1
            }
            start = max(start, buffer.count - pattern.count + 1)
            let consumed = position
            guard fill(buffer.count - position + 1) else { return nil }
            start -= consumed - position
        }
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
            var found = index(of: UInt8(ascii: "<"), from: position)
            while found == nil {
                if open.isEmpty, buffer[position...].contains(where: { !Self.isSpace($0) }) {
                    throw error("text outside the root element")
                }
                position = buffer.count
                guard fill(1) else { break }
                found = index(of: UInt8(ascii: "<"), from: position)
            }
            guard let lt = found else {
                if let name = open.last { throw error("the document ends inside <\(name)>") }
                if !sawRoot { throw error("no root element") }
                return nil
            }
            if open.isEmpty, buffer[position..<lt].contains(where: { !Self.isSpace($0) }) {
                throw error("text outside the root element")
            }
            position = lt
            guard fill(2) else { throw error("the document ends inside a tag") }
            let second = buffer[position + 1]
            if second == UInt8(ascii: "!") {
                _ = fill(9)
                let head = buffer[position..<min(buffer.count, position + 9)]
                if head.starts(with: Self.commentOpen) {
                    guard let end = find(Self.commentClose, from: 4) else {
                        throw error(overflowed ? "a comment longer than 16 MiB" : "a comment is not closed")
                    }
                    position = end + 3
                } else if head.starts(with: Self.cdataOpen) {
                    if open.isEmpty { throw error("CDATA outside the root element") }
                    guard let end = find(Self.cdataClose, from: 9) else {
                        throw error(overflowed ? "a CDATA section longer than 16 MiB" : "a CDATA section is not closed")
                    }
                    position = end + 3
                } else {
                    guard let end = find([UInt8(ascii: ">")], from: 2) else {
                        throw error("a declaration is not closed")
                    }
                    position = end + 1
                }
                continue
            }
            if second == UInt8(ascii: "?") {
                guard let end = find(Self.instructionClose, from: 2) else {
                    throw error("a processing instruction is not closed")
                }
                position = end + 2
                continue
            }
            return try tag()
        }
    }

    static let commentOpen = Array("<!--".utf8)
    static let commentClose = Array("-->".utf8)
    static let cdataOpen = Array("<![CDATA[".utf8)
    static let cdataClose = Array("]]>".utf8)
    static let instructionClose = Array("?>".utf8)

    /// The index of the `>` that closes the tag starting before `start`, outside quotes; nil when
    /// more must be read first.
    private func tagEnd(from start: Int) throws(SyntaxError) -> Int? {
        let (end, stray) = buffer.withUnsafeBufferPointer { pointer -> (Int?, Bool) in
            var index = start
            var quote: UInt8 = 0
            while index < pointer.count {
                let byte = pointer[index]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                } else if byte == 0x22 || byte == 0x27 {
                    quote = byte
                } else if byte == 0x3E {
                    return (index, false)
                } else if byte == 0x3C {
                    return (nil, true)
                }
                index += 1
            }
            return (nil, false)
        }
        if stray { throw error("`<` inside a tag") }
        return end
    }

    private mutating func tag() throws(SyntaxError) -> Event {
        var end: Int?
        while end == nil {
            end = try tagEnd(from: position + 1)
            if end == nil {
                guard fill(buffer.count - position + 1) else {
                    throw error(overflowed ? "a tag longer than 16 MiB" : "the document ends inside a tag")
                }
            }
        }
        guard let close = end else { throw error("the document ends inside a tag") }
        let bodyStart = position + 1
        if buffer[bodyStart] == UInt8(ascii: "/") {
            let name = Self.trimmed(buffer[(bodyStart + 1)..<close])
            guard let top = open.popLast() else { throw error("</\(name)> closes nothing") }
            guard top == name else { throw error("</\(name)> closes <\(top)>") }
            position = close + 1
            return .end(name: name)
        }
        var contentEnd = close
        let selfClosing = buffer[close - 1] == UInt8(ascii: "/") && close - 1 >= bodyStart
        if selfClosing { contentEnd -= 1 }
        var nameEnd = bodyStart
        while nameEnd < contentEnd, !Self.isSpace(buffer[nameEnd]) { nameEnd += 1 }
        guard nameEnd > bodyStart, !buffer[bodyStart..<nameEnd].contains(UInt8(ascii: "=")) else {
            throw error("a tag without a name")
        }
        let name = String(decoding: buffer[bodyStart..<nameEnd], as: UTF8.self)
        if open.isEmpty {
            if sawRoot { throw error("a second root element <\(name)>") }
            sawRoot = true
        }
        let attributes = XMLAttributes(bytes: buffer[nameEnd..<contentEnd])
        if let problem = attributes.problem() { throw error(problem) }
        position = close + 1
        if selfClosing {
            pendingEnd = name
        } else {
            open.append(name)
        }
        return .start(name: name, attributes: attributes, selfClosing: selfClosing)
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        let start = bytes.firstIndex(where: { !isSpace($0) }) ?? bytes.endIndex
        let end = bytes.lastIndex(where: { !isSpace($0) }).map { $0 + 1 } ?? start
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
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

/// A start tag's attributes as written, read by name when asked: most tags of a large report are
/// counted, not read, and building a dictionary for each cost more than the rest of the scan.
struct XMLAttributes: Equatable {
    let bytes: ArraySlice<UInt8>

    subscript(name: String) -> String? {
        let wanted = Array(name.utf8)
        var found: String?
        walk { attribute, value in
            guard found == nil, attribute.elementsEqual(wanted) else { return }
            found = XMLScanner.decodeEntities(String(decoding: value, as: UTF8.self))
        }
        return found
    }

    /// What is wrong with the attributes' syntax, if anything.
    func problem() -> String? {
        walk { _, _ in }
    }

    /// Calls `body` with each name and raw value; returns a syntax problem, if any.
    @discardableResult
    private func walk(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) -> String? {
        bytes.withUnsafeBufferPointer { pointer -> String? in
            let count = pointer.count
            var index = 0
            while true {
                while index < count, XMLScanner.isSpace(pointer[index]) { index += 1 }
                guard index < count else { return nil }
                let nameStart = index
                while index < count, pointer[index] != UInt8(ascii: "=") { index += 1 }
                guard index < count else { return "an attribute without a value" }
                var nameEnd = index
                while nameEnd > nameStart, XMLScanner.isSpace(pointer[nameEnd - 1]) { nameEnd -= 1 }
                let name = UnsafeBufferPointer(rebasing: pointer[nameStart..<nameEnd])
                index += 1
                while index < count, XMLScanner.isSpace(pointer[index]) { index += 1 }
                let quote = index < count ? pointer[index] : 0
                var close = index + 1
                while close < count, pointer[close] != quote { close += 1 }
                guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"), close < count else {
                    return "attribute `\(String(decoding: name, as: UTF8.self))` is not quoted"
                }
                body(name, UnsafeBufferPointer(rebasing: pointer[(index + 1)..<close]))
                index = close + 1
            }
        }
    }
}
