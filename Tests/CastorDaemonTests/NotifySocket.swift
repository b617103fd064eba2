import CastorTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET` in tests.
///
/// Bound to a fresh path under the temp directory; `next(timeout:)` waits (with `poll`, no
/// sleeps) for one sd_notify message and returns its assignments.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32

    init() throws {
        let dir = FileManager.default.temporaryDirectory.path
        path = "\(dir)/castor-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next message's lines, or nil if none arrived within `timeout` seconds. Async:
    /// `poll(2)` blocks, so it runs on a thread of its own, never on the cooperative pool.
    func next(timeout: Double) async -> [String]? {
        await offPool { [self] in nextBlocking(timeout: timeout) }
    }

    private func nextBlocking(timeout: Double) -> [String]? {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            let n = poll(&pfd, 1, remaining)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let got = recv(fd, &buffer, buffer.count, 0)
            guard got > 0 else { return nil }
            return String(decoding: buffer[0..<got], as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    /// Waits for a message containing `assignment` (e.g. `READY=1`), returning every message
    /// seen up to and including it, or nil on timeout.
    /// Gives up early once `sender` (if given) has exited: no datagram can come any more.
    func waitFor(_ assignment: String, timeout: Double, sender: CastorProcess? = nil) async -> [[String]]? {
        await offPool { [self] in waitForBlocking(assignment, timeout: timeout, sender: sender) }
    }

    private func waitForBlocking(_ assignment: String, timeout: Double, sender: CastorProcess?) -> [[String]]? {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [[String]] = []
        while deadline.timeIntervalSinceNow > 0 {
            guard let message = nextBlocking(timeout: min(0.5, max(0, deadline.timeIntervalSinceNow))) else {
                if let sender, !sender.process.isRunning { return nil }
                continue
            }
            seen.append(message)
            if message.contains(assignment) { return seen }
        }
        return nil
    }
}
