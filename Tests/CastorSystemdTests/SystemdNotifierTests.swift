import CastorTestSupport
import Glibc
import Testing
@testable import CastorSystemd

/// A datagram socket standing in for systemd's notification socket.
final class NotifySocket {
    let fd: Int32
    let path: String
    private let directory: String

    /// Binds a socket file in a fresh temporary directory, or an abstract name when `abstract`.
    init(abstract: Bool = false) throws {
        var template = Array("/tmp/castor-notify-XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        directory = dir
        path = abstract ? "@castor-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))" : dir + "/notify"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #expect(fd >= 0)
        let address = try #require(SystemdNotifier.socketAddress(path))
        let rc = address.withUnsafeBytes {
            bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
        }
        #expect(rc == 0, "bind: errno \(errno)")
    }

    /// Receives one datagram, waiting at most `timeoutMilliseconds`; the `poll(2)` runs
    /// off the cooperative pool (`offPool`).
    func receive(timeoutMilliseconds: Int32 = 2_000) async -> String? {
        let fd = fd
        return await offPool { () -> String? in
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, timeoutMilliseconds) == 1 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n >= 0 else { return nil }
            return String(decoding: buffer[0..<n], as: UTF8.self)
        }
    }

    deinit {
        close(fd)
        if !path.hasPrefix("@") { unlink(path) }
        rmdir(directory)
    }
}

@Suite struct SystemdNotifierTests {
    @Test func sendsExactlyTheProtocolMessages() async throws {
        let socket = try NotifySocket()
        let notifier = SystemdNotifier(socketPath: socket.path)
        #expect(notifier.isEnabled)

        try notifier.ready()
        #expect(await socket.receive() == "READY=1")
        try notifier.stopping()
        #expect(await socket.receive() == "STOPPING=1")
        try notifier.watchdog()
        #expect(await socket.receive() == "WATCHDOG=1")
        try notifier.status("trading BTCUSD\nsecond line")
        #expect(await socket.receive() == "STATUS=trading BTCUSD second line")
        try notifier.ready(status: "reloaded")
        #expect(await socket.receive() == "READY=1\nSTATUS=reloaded")
        #expect(await socket.receive(timeoutMilliseconds: 0) == nil)
    }

    @Test func reloadingCarriesTheMonotonicClock() async throws {
        let socket = try NotifySocket()
        let notifier = SystemdNotifier(socketPath: socket.path)
        let before = SystemdNotifier.monotonicMicroseconds()
        try notifier.reloading()
        let after = SystemdNotifier.monotonicMicroseconds()
        let message = try #require(await socket.receive())
        let lines = message.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let usec = try #require(lines.last.flatMap { $0.hasPrefix("MONOTONIC_USEC=") ? UInt64($0.dropFirst(15)) : nil })
        #expect(before <= usec && usec <= after)
    }

    @Test func abstractSocketNames() async throws {
        let socket = try NotifySocket(abstract: true)
        let notifier = SystemdNotifier(socketPath: socket.path)
        try notifier.ready()
        #expect(await socket.receive() == "READY=1")
    }

    @Test func disabledWithoutSocket() throws {
        let notifier = SystemdNotifier(socketPath: nil)
        #expect(!notifier.isEnabled)
        try notifier.ready()
        try notifier.watchdog()
        #expect(!SystemdNotifier(socketPath: "").isEnabled)
    }

    @Test func missingSocketIsReportedNotIgnored() {
        let notifier = SystemdNotifier(socketPath: "/nonexistent-castor-dir/notify")
        #expect(throws: SystemdNotifyError.sendFailed(errno: ENOENT)) { try notifier.ready() }
    }
}

@Suite struct WatchdogSettingsTests {
    @Test func halfOfTheTimeout() throws {
        let settings = try #require(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "42"], pid: 42))
        #expect(settings.timeout == .seconds(30))
        #expect(settings.pingInterval == .seconds(15))
    }

    @Test func pidIsOptional() {
        #expect(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "2000000"], pid: 7)?.pingInterval == .seconds(1))
    }

    @Test func otherProcessOrMalformedMeansOff() {
        #expect(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "41"], pid: 42) == nil)
        #expect(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "abc"], pid: 42) == nil)
        #expect(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "0"], pid: 42) == nil)
        #expect(WatchdogSettings.fromEnvironment(["WATCHDOG_USEC": "-5"], pid: 42) == nil)
        #expect(WatchdogSettings.fromEnvironment([:], pid: 42) == nil)
    }
}
