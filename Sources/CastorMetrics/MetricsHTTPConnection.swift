import CastorCore
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// One accepted connection of `MetricsHTTPServer`: read the head, ask the handler, write the
/// answer with `Connection: close`, half-close, drain what the peer still sends until it
/// closes (so the answer is not lost to a reset), close.
///
/// Thread safety: confined to the server's queue (the handler's answer hops onto it). The
/// descriptor is closed only in the last cancel handler of its sources.
final class MetricsHTTPConnection: @unchecked Sendable {
    private enum Phase { case reading, answering, writing, draining, closed }

    private let fd: Int32
    private let queue: DispatchQueue
    private let limits: MetricsRequestLimits
    private let handler: MetricsHTTPServer.Handler
    private let onClose: (MetricsHTTPConnection) -> Void
    private let clock: EngineClock
    private var phase = Phase.reading
    private var received: [UInt8] = []
    private var outbox: [UInt8] = []
    private var written = 0
    private var drained = 0
    private var readSource: DispatchSourceRead?
    private var writeSource: DispatchSourceWrite?
    private var writeSuspended = false
    private var openSources = 0
    private var timeout: ScheduledTimer?
    /// HEAD: headers only.
    private var omitBody = false

    /// What a peer may still send after its answer before the connection is closed anyway.
    private static let maxDrainBytes = 64 * 1024
    /// How long a peer has to close after its answer (it usually does at once).
    static let lingerMs: Int64 = 2_000

    init(fd: Int32, queue: DispatchQueue, limits: MetricsRequestLimits, clock: EngineClock,
         handler: @escaping MetricsHTTPServer.Handler, onClose: @escaping (MetricsHTTPConnection) -> Void) {
        self.fd = fd
        self.clock = clock
        self.queue = queue
        self.limits = limits
        self.handler = handler
        self.onClose = onClose
    }

    /// Starts reading; the request (and its answer) must be done within `timeoutMs`.
    func start(timeoutMs: Int64) {
        dispatchPrecondition(condition: .onQueue(queue))
        timeout = clock.schedule(on: queue, afterMs: timeoutMs) { [weak self] in self?.timedOut() }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.readable() }
        source.setCancelHandler { [self] in sourceCancelled() }
        readSource = source
        openSources += 1
        source.activate()
    }

    /// The request did not arrive (or its answer did not leave) in time.
    func timedOut() {
        dispatchPrecondition(condition: .onQueue(queue))
        switch phase {
        case .reading: answer(MetricsHTTPServer.Response(status: .requestTimeout, text: "request not complete in time\n"))
        case .answering, .writing, .draining: close()
        case .closed: break
        }
    }

    private func readable() {
        dispatchPrecondition(condition: .onQueue(queue))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while phase != .closed {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return }
                return close()  // ECONNRESET and the like: nobody to answer
            }
            if n == 0 { return peerClosed() }
            switch phase {
            case .reading:
                received += buffer[0..<n]
                switch MetricsRequestParser.parse(received, limits: limits) {
                case .incomplete: continue
                case .refused(let status, let reason): return answer(MetricsHTTPServer.Response(status: status, text: reason + "\n"))
                case .complete(let head):
                    phase = .answering
                    received = []
                    omitBody = head.method == "HEAD"
                    handler(head) { [weak self] response in
                        guard let self else { return }
                        self.queue.async { self.answer(response) }
                    }
                }
            case .answering, .writing, .draining:
                // Pipelined requests or a body we do not take: read and drop, up to a bound.
                drained += n
                if drained > Self.maxDrainBytes { return close() }
            case .closed:
                return
            }
        }
    }

    private func peerClosed() {
        switch phase {
        case .reading, .draining, .closed: close()
        case .answering, .writing:
            // Half-closed: the answer may still be read. Stop watching for input.
            readSource?.cancel()
            readSource = nil
        }
    }

    private func answer(_ response: MetricsHTTPServer.Response) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard phase == .reading || phase == .answering else { return }
        var head = "HTTP/1.1 \(response.status.rawValue) \(response.status.reason)\r\n"
        head += "Content-Type: \(response.contentType)\r\nContent-Length: \(response.body.count)\r\n"
        for line in response.headers { head += line + "\r\n" }
        head += "Connection: close\r\n\r\n"
        outbox = Array(head.utf8)
        if !omitBody { outbox += response.body }
        written = 0
        phase = .writing
        flush()
    }

    private func flush() {
        dispatchPrecondition(condition: .onQueue(queue))
        while written < outbox.count {
            let n = outbox.withUnsafeBytes { send(fd, $0.baseAddress! + written, $0.count - written, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK { return awaitWritable() }
                return close()
            }
            written += n
        }
        outbox = []
        if let writeSource, !writeSuspended {
            writeSource.suspend()  // nothing pending: a live write source would spin
            writeSuspended = true
        }
        shutdown(fd, Int32(SHUT_WR))
        guard readSource != nil else { return close() }  // the peer already half-closed
        phase = .draining
        timeout?.cancel()
        timeout = clock.schedule(on: queue, afterMs: Self.lingerMs) { [weak self] in self?.timedOut() }
    }

    private func awaitWritable() {
        if let writeSource {
            if writeSuspended {
                writeSuspended = false
                writeSource.resume()
            }
            return
        }
        let source = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.flush() }
        source.setCancelHandler { [self] in sourceCancelled() }
        writeSource = source
        openSources += 1
        source.activate()
    }

    /// Ends the connection: its sources are cancelled and the descriptor closed after them.
    func close() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard phase != .closed else { return }
        phase = .closed
        timeout?.cancel()
        timeout = nil
        readSource?.cancel()
        readSource = nil
        if let writeSource {
            if writeSuspended { writeSource.resume() }  // a suspended source never runs its cancel handler
            writeSource.cancel()
        }
        writeSource = nil
        if openSources == 0 { Glibc.close(fd) }
        onClose(self)
    }

    private func sourceCancelled() {
        dispatchPrecondition(condition: .onQueue(queue))
        openSources -= 1
        if openSources == 0, phase == .closed { Glibc.close(fd) }
    }

    /// Past the connection limit: one best-effort 503 on the fresh socket, then close (what
    /// the peer already sent is read first, so the close is less likely to be a reset that
    /// loses the 503; a request arriving later still may be).
    static func refuseBusy(fd: Int32) {
        let text = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 18\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many requests\n"
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(fd, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<16 where sink.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        Glibc.close(fd)
    }
}
