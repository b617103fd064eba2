import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP relay between the engine's REST client and `castor sim` that re-arms
/// `TCP_QUICKACK` on its simulator-side socket before every read.
///
/// Why: the simulator writes each reply in more than one segment without `TCP_NODELAY`, so
/// Nagle holds the second segment until the first is acknowledged, and the client's
/// delayed ACK waits 40 ms: every REST round trip costs about 44 ms (0.5 ms with quick
/// ACKs, measured with a plain socket client). With one private request in flight that
/// caps the engine at about 22 requests a second. The relay is the bench's work-around;
/// the fix belongs in the simulator's server (set `TCP_NODELAY`, or write a reply once).
final class QuickAckRelay: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let upstreamPort: UInt16

    init(upstreamPort: UInt16) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("relay: socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw BenchFailure("relay: bind/listen: errno \(errno)") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return a
    }

    func start() {
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { if errno == EINTR { continue }; return }
                let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var addr = Self.loopback(port: upstreamPort)
                let ok = withUnsafePointer(to: &addr) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard ok == 0 else { close(client); close(upstream); continue }
                var one: Int32 = 1
                for s in [client, upstream] { setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size)) }
                Thread { Self.pump(from: client, to: upstream, quickAck: false) }.start()
                Thread { Self.pump(from: upstream, to: client, quickAck: true) }.start()
            }
        }.start()
    }

    /// Copies until either side closes, then shuts both down.
    private static func pump(from: Int32, to: Int32, quickAck: Bool) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var one: Int32 = 1
        outer: while true {
            if quickAck { setsockopt(from, Int32(IPPROTO_TCP), TCP_QUICKACK, &one, socklen_t(MemoryLayout<Int32>.size)) }
            let n = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            var offset = 0
            while offset < n {
                let w = buffer.withUnsafeBytes { send(to, $0.baseAddress! + offset, n - offset, Int32(MSG_NOSIGNAL)) }
                if w < 0, errno == EINTR { continue }
                if w <= 0 { break outer }
                offset += w
            }
        }
        shutdown(from, Int32(SHUT_RDWR))
        shutdown(to, Int32(SHUT_RDWR))
        if quickAck { close(from); close(to) }
    }
}
