import CastorCore
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's control socket: a UNIX stream socket, mode 0600, no TCP. Each connection
/// sends one request line and gets one answer line, then is closed.
///
/// Read sources on `queue` drive it; `handle` runs there with the request and answers
/// through its callback (on any queue). A client that sends more than 4 KiB without a
/// newline, or nothing for 5 s, is dropped. The path is only ever removed if it is a socket
/// (a stale one from a killed daemon); anything else there is an error.
///
/// Queue-confined to `queue` behind `@unchecked Sendable`.
public final class ControlSocketServer: @unchecked Sendable {
    public let path: String
    private let queue: DispatchQueue
    private let handle: (String, @escaping @Sendable (String) -> Void) -> Void
    private var listener: DispatchSourceRead?
    private var clients: [Int32: Client] = [:]

    private final class Client {
        let source: DispatchSourceRead
        /// Which connection this is (descriptor numbers are reused).
        let serial: UInt64
        var buffer: [UInt8] = []
        var answered = false
        init(source: DispatchSourceRead, serial: UInt64) {
            self.source = source
            self.serial = serial
        }
    }
    private var connections: UInt64 = 0

    static let maximumRequestBytes = 4_096
    /// How long a connection may take to send its request line.
    let idleLimitMs: Int64
    /// The clock the idle limit runs on (a `ManualClock` in tests).
    let clock: EngineClock

    /// Binds and listens; serving starts with `start()`.
    public init(path: String, queue: DispatchQueue, idleLimitMs: Int64 = 5_000, clock: EngineClock = .system,
                handle: @escaping (String, @escaping @Sendable (String) -> Void) -> Void) throws(ControlSocketError) {
        self.idleLimitMs = idleLimitMs
        self.clock = clock
        self.path = path
        self.queue = queue
        self.handle = handle
        let address = try UnixSocketAddress(path: path)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else { throw .pathOccupied(path) }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .system(call: "socket", path: path, errno: errno) }
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let e = errno
            close(fd)
            throw .system(call: "bind", path: path, errno: e)
        }
        // Only the daemon's user may connect (a socket's mode is its file's).
        guard chmod(path, 0o600) == 0, listen(fd, 8) == 0 else {
            let e = errno
            close(fd)
            unlink(path)
            throw .system(call: "chmod/listen", path: path, errno: e)
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.acceptAll(fd) }
        source.setCancelHandler { close(fd) }
        listener = source
    }

    public func start() { listener?.activate() }

    /// Stops listening, drops the connections and removes the socket file.
    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let listener else { return }
        self.listener = nil
        listener.cancel()
        for (_, client) in clients { client.source.cancel() }
        clients.removeAll()
        unlink(path)
    }

    private func acceptAll(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }  // EAGAIN: nothing more now
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
            let source = DispatchSource.makeReadSource(fileDescriptor: client, queue: queue)
            connections &+= 1
            let entry = Client(source: source, serial: connections)
            clients[client] = entry
            source.setEventHandler { [weak self] in self?.read(client) }
            source.setCancelHandler { close(client) }
            source.activate()
            // The timer belongs to this connection, not to its descriptor number: once it is
            // answered and closed, a later connection may get the same number, and must not
            // be dropped by this connection's timer (it was: a quick run of commands lost
            // one to an EPIPE).
            let serial = entry.serial
            clock.schedule(on: queue, afterMs: idleLimitMs) { [weak self] in
                guard let self, let c = self.clients[client], c.serial == serial, !c.answered else { return }
                self.drop(client)
            }
        }
    }

    private func read(_ fd: Int32) {
        guard let client = clients[fd], !client.answered else { return }
        var chunk = [UInt8](repeating: 0, count: 1_024)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0, errno == EAGAIN || errno == EINTR { return }
        guard n > 0 else { return drop(fd) }  // closed (or failed) before a whole line
        client.buffer += chunk.prefix(n)
        guard let newline = client.buffer.firstIndex(of: 0x0A) else {
            if client.buffer.count > Self.maximumRequestBytes { drop(fd) }
            return
        }
        client.answered = true
        let request = String(decoding: client.buffer[..<newline], as: UTF8.self)
        let queue = queue
        handle(request) { [weak self] answer in
            guard let self else { return }
            queue.async { self.answer(fd, answer) }
        }
    }

    private func answer(_ fd: Int32, _ text: String) {
        guard clients[fd] != nil else { return }
        let bytes = Array((text + "\n").utf8)
        var sent = 0
        // One short line: a blocking-style loop, bounded by the socket's buffer.
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&p, 1, 1_000) > 0 { continue }
            }
            break
        }
        drop(fd)
    }

    private func drop(_ fd: Int32) {
        guard let client = clients.removeValue(forKey: fd) else { return }
        client.source.cancel()
    }
}
