import CastorCore
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server for the metrics endpoint, on Dispatch read sources.
///
/// Hand-written on purpose: the daemon serves two GET routes, and the HTTP server package it
/// used before (FlyingFox) brought Foundation's networking (FoundationNetworking) and an
/// async runtime of its own into the trading process for them. This one reads a request
/// head (bounded: `MetricsRequestLimits`), answers it once with `Connection: close`, and
/// closes. A request not complete within `requestTimeoutMs` (on the injected clock: a slow
/// or stalled client) is answered 408; garbage is answered 400 (`MetricsRequestParser`);
/// connections past `maxConnections` are answered 503. Nothing a peer sends can trap.
///
/// Thread safety: all state (the listener, the connections) is confined to `queue`; `start`
/// and `stop` may be called from any thread and hop onto it. The handler is called on
/// `queue` and may answer from any thread.
final class MetricsHTTPServer: @unchecked Sendable {
    /// One answer: status, content type, body.
    struct Response: Sendable {
        var status: MetricsHTTPStatus
        var contentType: String
        var body: [UInt8]
        /// Extra header lines (`Allow: GET, HEAD`), without CRLF.
        var headers: [String] = []

        init(status: MetricsHTTPStatus, contentType: String = "text/plain; charset=utf-8", body: [UInt8], headers: [String] = []) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.headers = headers
        }

        init(status: MetricsHTTPStatus, text: String) {
            self.init(status: status, body: Array(text.utf8))
        }
    }

    typealias Handler = @Sendable (MetricsRequestHead, _ answer: @escaping @Sendable (Response) -> Void) -> Void

    let queue: DispatchQueue
    private let limits: MetricsRequestLimits
    private let requestTimeoutMs: Int64
    private let maxConnections: Int
    private let clock: EngineClock
    private let handler: Handler

    // Confined to `queue`.
    private var listener: (fd: Int32, source: DispatchSourceRead)?
    /// The listener's source is suspended (out of descriptors; resumed by a timer).
    private var listenerPaused = false
    private var connections: [ObjectIdentifier: MetricsHTTPConnection] = [:]
    private var stopped = false

    init(queue: DispatchQueue = DispatchQueue(label: "castor.metrics.http"), limits: MetricsRequestLimits = MetricsRequestLimits(),
         requestTimeoutMs: Int64 = 10_000, maxConnections: Int = 16, clock: EngineClock = .system, handler: @escaping Handler) {
        self.queue = queue
        self.limits = limits
        self.requestTimeoutMs = requestTimeoutMs
        self.maxConnections = maxConnections
        self.clock = clock
        self.handler = handler
    }

    /// Open connections (tests).
    var connectionCount: Int { queue.sync { connections.count } }

    /// Binds `host:port` (an IPv4 or IPv6 literal, or `localhost`) and starts accepting;
    /// returns the bound port (port 0 picks a free one).
    func start(host: String, port: UInt16) throws(MetricsServerError) -> UInt16 {
        let bound = try MetricsSocket.listen(host: host, port: port)
        queue.sync {
            if stopped {
                close(bound.fd)
                return
            }
            let source = DispatchSource.makeReadSource(fileDescriptor: bound.fd, queue: queue)
            source.setEventHandler { [weak self] in self?.acceptPending() }
            let fd = bound.fd
            source.setCancelHandler { close(fd) }
            listener = (fd, source)
            source.activate()
        }
        return bound.port
    }

    /// Stops listening and closes every connection; `completion` runs on `queue` after.
    func stop(completion: (@Sendable () -> Void)? = nil) {
        queue.async { [self] in
            stopped = true
            if listenerPaused { listener?.source.resume() }  // a suspended source never runs its cancel handler
            listenerPaused = false
            listener?.source.cancel()
            listener = nil
            for connection in connections.values { connection.close() }
            connections.removeAll()
            completion?()
        }
    }

    private func acceptPending() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let listener else { return }
        while true {
            // accept4 is not visible to Swift here (glibc hides it behind _GNU_SOURCE).
            let fd = accept(listener.fd, nil, nil)
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE {
                    // Out of descriptors: the listener would fire again at once; pause it.
                    if !listenerPaused {
                        listenerPaused = true
                        listener.source.suspend()
                        clock.schedule(on: queue, afterMs: 100) { [weak self] in
                            guard let self, self.listenerPaused, let current = self.listener else { return }
                            self.listenerPaused = false
                            current.source.resume()
                        }
                    }
                }
                return  // EAGAIN: nothing more pending; anything else: try at the next event
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            guard connections.count < maxConnections else {
                MetricsHTTPConnection.refuseBusy(fd: fd)
                continue
            }
            let connection = MetricsHTTPConnection(fd: fd, queue: queue, limits: limits, clock: clock, handler: handler) { [weak self] closed in
                self?.connections[ObjectIdentifier(closed)] = nil
            }
            connections[ObjectIdentifier(connection)] = connection
            connection.start(timeoutMs: requestTimeoutMs)
        }
    }
}

/// Why the metrics endpoint could not listen.
public enum MetricsServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `host` is not an IPv4 or IPv6 literal (nor `localhost`).
    case invalidAddress(host: String)
    /// A socket call failed with `errno`.
    case systemCall(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .invalidAddress(let host):
            "metrics: \"\(host)\" is not an IP address (write an IPv4 or IPv6 literal, or localhost)"
        case .systemCall(let call, let code):
            "metrics: \(call) failed: \(String(cString: strerror(code))) (errno \(code))"
                + (code == EADDRINUSE ? "; another process listens on that port" : "")
                + (code == EACCES ? "; ports below 1024 need privileges" : "")
        }
    }
}

/// The listening socket.
enum MetricsSocket {
    static func listen(host: String, port: UInt16) throws(MetricsServerError) -> (fd: Int32, port: UInt16) {
        let name = host == "localhost" ? "127.0.0.1" : host
        var v4 = in_addr(), v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, name, &v4) == 1 {
            family = AF_INET
        } else if inet_pton(AF_INET6, name, &v6) == 1 {
            family = AF_INET6
        } else {
            throw .invalidAddress(host: host)
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .systemCall(call: "socket", errno: errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if family == AF_INET {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = v4
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw .systemCall(call: "bind \(host):\(port)", errno: code)
        }
        guard Glibc.listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            throw .systemCall(call: "listen", errno: code)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let code = errno
            close(fd)
            throw .systemCall(call: "getsockname", errno: code)
        }
        let boundPort: UInt16 = withUnsafePointer(to: &storage) { pointer in
            if family == AF_INET {
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            } else {
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        }
        return (fd, boundPort)
    }
}
