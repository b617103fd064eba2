import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback HTTP client for tests (malformed requests, upgrades): sends bytes, then reads until the
/// server closes (each `recv` bounded by a deadline, so a server that never answers fails
/// the test instead of hanging it).
public struct RawHTTPClient {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let fd: Int32

    public init(port: UInt16, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw Failure(description: "connect: errno \(errno)")
        }
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += n
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Everything until the server closes; throws at the receive deadline (and at a reset,
    /// unless `resetEnds`).
    public func readToEnd(resetEnds: Bool = false) throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 || (n < 0 && errno == ECONNRESET && resetEnds) { break }
            guard n > 0 else {
                throw Failure(description: "recv: errno \(errno) (no close from the server) after \(received.count) bytes")
            }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// The first line the server sends (without its CRLF), for an answer that keeps the
    /// connection open (a WebSocket upgrade); throws at the receive deadline.
    public func readStatusLine() throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !received.contains(UInt8(ascii: "\n")) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "recv: errno \(errno) after \(received.count) bytes") }
            received += buffer[0..<n]
        }
        return String(decoding: received.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
    }

    public func close() { Glibc.close(fd) }

    /// One exchange: send `bytes`, read the answer to the server's close.
    public static func exchange(port: UInt16, _ bytes: [UInt8], resetEnds: Bool = false) throws -> String {
        let client = try RawHTTPClient(port: port)
        defer { client.close() }
        try client.send(bytes)
        return try client.readToEnd(resetEnds: resetEnds)
    }

    public static func exchange(port: UInt16, _ text: String, resetEnds: Bool = false) throws -> String {
        try exchange(port: port, Array(text.utf8), resetEnds: resetEnds)
    }
}
