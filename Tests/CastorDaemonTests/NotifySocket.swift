import CastorTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET` in tests.
///
/// Bound to a fresh path under the temp directory. A thread of its own receives every
/// datagram as it arrives, as systemd would: a sender (`SystemdNotifier`, which sends from
/// the engine queue) must never block on a full socket buffer because the test has not read
/// yet (a unix datagram socket queues only ~10 messages; a blocked engine queue then
/// deadlocks the test's next `queue.sync`). `next(timeout:)` hands the messages out in
/// order, waiting off the cooperative pool with a deadline, no sleeps.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let receiver: Receiver

    init() throws {
        let dir = FileManager.default.temporaryDirectory.path
        path = "\(dir)/castor-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
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
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
        receiver = Receiver(fd: fd, path: path)
        let receiver = self.receiver
        Thread { receiver.run() }.start()
    }

    deinit { receiver.stop() }

    /// The next message's lines, or nil if none arrived within `timeout` seconds.
    func next(timeout: Double) async -> [String]? {
        await offPool { [receiver] in receiver.next(until: Date().addingTimeInterval(timeout)) }
    }

    /// Waits for a message containing `assignment` (e.g. `READY=1`), returning every message
    /// seen up to and including it, or nil on timeout.
    /// Gives up early once `sender` (if given) has exited: no datagram can come any more.
    func waitFor(_ assignment: String, timeout: Double, sender: CastorProcess? = nil) async -> [[String]]? {
        await offPool { [receiver] in
            let deadline = Date().addingTimeInterval(timeout)
            var seen: [[String]] = []
            while deadline.timeIntervalSinceNow > 0 {
                guard let message = receiver.next(until: min(deadline, Date().addingTimeInterval(0.5))) else {
                    if let sender, !sender.process.isRunning { return nil }
                    continue
                }
                seen.append(message)
                if message.contains(assignment) { return seen }
            }
            return nil
        }
    }

    /// Owns the descriptor; its thread receives until `stop()`, then closes and unlinks.
    private final class Receiver: @unchecked Sendable {
        private let fd: Int32
        private let path: String
        private let condition = NSCondition()
        private var messages: [[String]] = []
        private var stopped = false

        init(fd: Int32, path: String) {
            self.fd = fd
            self.path = path
        }

        func run() {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                condition.lock()
                let done = stopped
                condition.unlock()
                if done { break }
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let n = poll(&pfd, 1, 100)  // wakes at least every 100 ms to notice stop()
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { continue }
                let got = recv(fd, &buffer, buffer.count, 0)
                guard got > 0 else { continue }
                let lines = String(decoding: buffer[0..<got], as: UTF8.self).split(separator: "\n").map(String.init)
                condition.lock()
                messages.append(lines)
                condition.broadcast()
                condition.unlock()
            }
            close(fd)
            unlink(path)
        }

        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }

        /// The oldest message not handed out yet, waiting for one until `deadline`.
        func next(until deadline: Date) -> [String]? {
            condition.lock()
            defer { condition.unlock() }
            while messages.isEmpty {
                if stopped || !condition.wait(until: deadline) { return messages.isEmpty ? nil : messages.removeFirst() }
            }
            return messages.removeFirst()
        }
    }
}
