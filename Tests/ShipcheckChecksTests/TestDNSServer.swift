import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small authoritative DNS server on 127.0.0.1 over UDP, for the `dns:` probe: a few records,
/// NXDOMAIN for the rest, and names that fail on purpose (SERVFAIL, silence, a broken answer).
final class TestDNSServer: @unchecked Sendable {
    static let shared = TestDNSServer()
    let port: Int
    var address: String { "127.0.0.1:\(port)" }

    private init() {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread {
            var buffer = [UInt8](repeating: 0, count: 512)
            while true {
                var peer = sockaddr_storage()
                var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, &buffer, buffer.count, 0, $0, &peerLength)
                    }
                }
                guard count > 12, let reply = Self.answer(Array(buffer[0..<count])) else { continue }
                _ = withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, reply, reply.count, 0, $0, peerLength)
                    }
                }
            }
        }.start()
    }

    static func answer(_ query: [UInt8]) -> [UInt8]? {
        var offset = 12
        var labels: [String] = []
        while offset < query.count, query[offset] != 0 {
            let length = Int(query[offset])
            guard offset + 1 + length <= query.count else { return nil }
            labels.append(String(decoding: query[(offset + 1)...(offset + length)], as: UTF8.self))
            offset += 1 + length
        }
        guard offset + 5 <= query.count else { return nil }
        let question = Array(query[12...(offset + 4)])
        let type = UInt16(query[offset + 1]) << 8 | UInt16(query[offset + 2])
        let name = labels.joined(separator: ".").lowercased()
        var records: [(type: UInt16, data: [UInt8])] = []
        var rcode: UInt8 = 0
        switch (name, type) {
        case ("silent.shipcheck.test", _): return nil
        case ("garbage.shipcheck.test", _): return [query[0], query[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 9, 0x61]
        case ("servfail.shipcheck.test", _): rcode = 2
        case ("api.shipcheck.test", 1): records = [(1, [10, 1, 2, 3]), (1, [10, 1, 2, 4])]
        case ("api.shipcheck.test", 28): records = [(28, [0xFD] + [UInt8](repeating: 0, count: 14) + [1])]
        case ("www.shipcheck.test", 1):
            records = [(5, encode("api.shipcheck.test")), (1, [10, 1, 2, 3])]
        case ("shipcheck.test", 15): records = [(15, [0, 10] + encode("mx.shipcheck.test"))]
        case ("shipcheck.test", 16): records = [(16, [11] + Array("v=spf1 -all".utf8))]
        // A known name without records of the type is NODATA: NOERROR and no answers.
        default: rcode = ["api.shipcheck.test", "www.shipcheck.test", "shipcheck.test"].contains(name) ? 0 : 3
        }
        var reply: [UInt8] =
            [query[0], query[1], 0x84, 0x80 | rcode, 0, 1, 0, UInt8(records.count), 0, 0, 0, 0] + question
        for record in records {
            reply += [0xC0, 0x0C, UInt8(record.type >> 8), UInt8(record.type & 0xFF), 0, 1, 0, 0, 0x01, 0x2C]
            reply += [UInt8(record.data.count >> 8), UInt8(record.data.count & 0xFF)] + record.data
        }
        return reply
    }

    static func encode(_ name: String) -> [UInt8] {
        name.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }
}
