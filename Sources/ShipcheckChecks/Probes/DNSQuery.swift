import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One DNS question asked of one server over UDP (RFC 1035), as `dig @server` does: for checking
/// what a particular server publishes, not what this machine's resolver has cached.
enum DNSQuery {
    enum RecordType: String, CaseIterable, Sendable {
        case a = "A"
        case ns = "NS"
        case cname = "CNAME"
        case mx = "MX"
        case txt = "TXT"
        case aaaa = "AAAA"

        var code: UInt16 {
            switch self {
            case .a: 1
            case .ns: 2
            case .cname: 5
            case .mx: 15
            case .txt: 16
            case .aaaa: 28
            }
        }
    }

    struct Answer: Sendable, Equatable {
        var rcode: String
        var truncated: Bool
        /// Records of the asked type, as text: addresses, names, "10 mail.example.org", TXT strings.
        var records: [String]
        /// Names the answer went through (CNAME chain).
        var aliases: [String]
        var minimumTTL: Int?
    }

    enum Failure: Error, Equatable {
        case noAnswer(seconds: Double)
        case malformed(String)
        case socket(String)
    }

    static let rcodeNames = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]

    /// Asks `server` (an IP address, port 53 unless given) with two tries within `timeout`.
    static func ask(_ name: String, type: RecordType, server: String, port: Int, timeout: Double) throws(Failure)
        -> Answer
    {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = makeQuery(name: name, type: type, id: id)
        guard let address = try? SocketAddress(ipAddress: server, port: port) else {
            throw .socket("`\(server)` is not an IP address")
        }
        #if canImport(Glibc)
            let datagram = Int32(SOCK_DGRAM.rawValue)
        #else
            let datagram = SOCK_DGRAM
        #endif
        let fd = socket(address.protocol.rawValue, datagram, 0)
        guard fd >= 0 else { throw .socket("could not open a UDP socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let connected = address.withSockAddr { connect(fd, $0, socklen_t($1)) }
        guard connected == 0 else {
            throw .socket("could not reach \(server):\(port): \(String(cString: strerror(errno)))")
        }

        var buffer = [UInt8](repeating: 0, count: 65_535)
        for _ in 0..<2 {
            _ = query.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            let deadline = Date().addingTimeInterval(timeout / 2)
            while true {
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else { break }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, Int32(max(1, left * 1000))) > 0 else { continue }
                let received = recv(fd, &buffer, buffer.count, 0)
                // ICMP "port unreachable" shows as a refused receive: nobody answers DNS there.
                if received < 0 {
                    if errno == ECONNREFUSED { throw .socket("nothing answers DNS at \(server):\(port)") }
                    continue
                }
                let message = Array(buffer[0..<received])
                // Not ours (a late answer to the first try, or a stray datagram): keep waiting.
                guard message.count >= 2, UInt16(message[0]) << 8 | UInt16(message[1]) == id else { continue }
                return try parse(message, type: type)
            }
        }
        throw .noAnswer(seconds: timeout)
    }

    static func makeQuery(name: String, type: RecordType, id: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += label.utf8
        }
        bytes += [0, UInt8(type.code >> 8), UInt8(type.code & 0xFF), 0, 1]
        return bytes
    }

    /// Reads a response; every offset is checked, so a hostile or broken answer is an error, never a crash.
    static func parse(_ message: [UInt8], type: RecordType) throws(Failure) -> Answer {
        var reader = Reader(bytes: message)
        guard message.count >= 12 else { throw .malformed("the answer is shorter than a DNS header") }
        let flags = UInt16(message[2]) << 8 | UInt16(message[3])
        guard flags & 0x8000 != 0 else { throw .malformed("the answer is not a response") }
        let rcode = Int(flags & 0x000F)
        let questions = Int(UInt16(message[4]) << 8 | UInt16(message[5]))
        let answers = Int(UInt16(message[6]) << 8 | UInt16(message[7]))
        reader.offset = 12
        for _ in 0..<questions {
            _ = try reader.name()
            try reader.skip(4)
        }
        var result = Answer(
            rcode: rcode < rcodeNames.count ? rcodeNames[rcode] : "RCODE\(rcode)", truncated: flags & 0x0200 != 0,
            records: [], aliases: [], minimumTTL: nil)
        for _ in 0..<answers {
            _ = try reader.name()
            let recordType = try reader.uint16()
            try reader.skip(2)
            let ttl = Int(try reader.uint32())
            let length = Int(try reader.uint16())
            let end = reader.offset + length
            guard end <= message.count else { throw .malformed("a record runs past the end of the answer") }
            if recordType == RecordType.cname.code, type != .cname {
                result.aliases.append(try reader.name())
            } else if recordType == type.code {
                result.records.append(try record(&reader, type: type, length: length))
                result.minimumTTL = min(result.minimumTTL ?? ttl, ttl)
            }
            reader.offset = end
        }
        return result
    }

    private static func record(_ reader: inout Reader, type: RecordType, length: Int) throws(Failure) -> String {
        switch type {
        case .a:
            guard length == 4 else { throw .malformed("an A record of \(length) bytes") }
            return try reader.bytes(4).map(String.init).joined(separator: ".")
        case .aaaa:
            guard length == 16 else { throw .malformed("an AAAA record of \(length) bytes") }
            var address = in6_addr()
            let raw = try reader.bytes(16)
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: raw) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        case .cname, .ns:
            return try reader.name()
        case .mx:
            let preference = try reader.uint16()
            return "\(preference) \(try reader.name())"
        case .txt:
            var strings: [String] = []
            let end = reader.offset + length
            while reader.offset < end {
                let count = Int(try reader.bytes(1).first ?? 0)
                strings.append(String(decoding: try reader.bytes(count), as: UTF8.self))
            }
            return strings.joined()
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func bytes(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
            guard count >= 0, offset + count <= bytes.count else { throw .malformed("the answer ends early") }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func skip(_ count: Int) throws(Failure) { _ = try bytes(count) }

        mutating func uint16() throws(Failure) -> UInt16 {
            let pair = try bytes(2)
            return UInt16(pair[pair.startIndex]) << 8 | UInt16(pair[pair.startIndex + 1])
        }

        mutating func uint32() throws(Failure) -> UInt32 {
            UInt32(try uint16()) << 16 | UInt32(try uint16())
        }

        /// A name, following compression pointers (at most 64 hops, so a loop ends).
        mutating func name() throws(Failure) -> String {
            var labels: [String] = []
            var cursor = offset
            var jumped = false
            for _ in 0..<128 {
                guard cursor < bytes.count else { throw .malformed("a name runs past the end of the answer") }
                let length = Int(bytes[cursor])
                if length == 0 {
                    if !jumped { offset = cursor + 1 }
                    return labels.isEmpty ? "." : labels.joined(separator: ".")
                }
                if length & 0xC0 == 0xC0 {
                    guard cursor + 1 < bytes.count else { throw .malformed("a name pointer runs past the end") }
                    if !jumped { offset = cursor + 2 }
                    jumped = true
                    cursor = (length & 0x3F) << 8 | Int(bytes[cursor + 1])
                    continue
                }
                guard cursor + 1 + length <= bytes.count else {
                    throw .malformed("a label runs past the end of the answer")
                }
                labels.append(String(decoding: bytes[(cursor + 1)...(cursor + length)], as: UTF8.self))
                cursor += 1 + length
            }
            throw .malformed("a name with too many labels or a pointer loop")
        }
    }
}
