import CastorSSL
import Dispatch
import Glibc

/// An RFC 6455 WebSocket client connection over TCP (loopback ws://) or TLS (wss://).
///
/// Usage: create it, call `connect()` on its queue, and receive `WebSocketEvent`s on that
/// queue: `.open`, then `.message`/`.pong`, then exactly one of `.closed`/`.failed`. After
/// the terminal event the socket is closed and the object may be dropped. While a
/// connection is in progress the client keeps itself alive.
///
/// Threading: every method must be called on `queue` (checked with
/// `dispatchPrecondition`); from elsewhere, use `client.queue.async { ... }`. Give each
/// connection its own serial queue (the default) so a slow consumer on one feed never
/// stalls another. The process must ignore SIGPIPE (`SSL_write` cannot suppress it).
///
/// Invariant behind `@unchecked Sendable`: all mutable state is touched only on `queue`.
public final class WebSocketClient: @unchecked Sendable {
    /// The serial queue that owns this connection and delivers its events.
    public let queue: DispatchQueue
    public let url: WebSocketURL
    let headers: [(name: String, value: String)]
    let options: WebSocketOptions
    let handler: @Sendable (WebSocketEvent) -> Void

    enum Phase {
        case idle, resolving, connecting, tlsHandshake, upgrading, open
        /// We sent (or queued) a close frame and wait for the server's.
        case closing
        /// libwslay or we failed the connection; flushing the close frame before closing TCP.
        case failing(WebSocketError?)
        case finished
    }

    var phase: Phase = .idle
    var channel: SocketChannel?
    var addresses: [SocketAddress] = []
    var addressIndex = 0
    var lastConnectError = ""
    var timer: DispatchSourceTimer?
    var tls: TLSClientSession?
    var stream: ByteStream?
    var request: HandshakeRequest?
    var handshake: HandshakeStateMachine?
    var outgoing: [UInt8] = []
    var outgoingOffset = 0
    /// Bytes read from the stream but not yet consumed (handshake leftovers first).
    var inbound: [UInt8] = []
    var inboundStart = 0, inboundEnd = 0
    var framer: WslayFramer?
    var inFramer = false
    /// Set by the framer's I/O callbacks, examined after the framer call returns.
    var streamError: WebSocketError?
    var streamEnded = false
    var readNeedsWritable = false, writeNeedsReadable = false
    var closeCode = 1005, closeReason = ""

    static let readChunk = 16 << 10

    /// Prepares a connection to `url`; nothing happens until `connect()`.
    ///
    /// - Parameters:
    ///   - url: the endpoint (`try WebSocketURL("wss://api.gemini.com/v2/marketdata")`).
    ///   - headers: extra upgrade-request headers, e.g. Gemini's X-GEMINI-* auth headers.
    ///   - options: timeouts, message size limit, TLS context.
    ///   - queue: the connection's serial queue; a new one is created if nil.
    ///   - handler: receives every event, on `queue`.
    public init(url: WebSocketURL, headers: [(name: String, value: String)] = [], options: WebSocketOptions = .init(),
                queue: DispatchQueue? = nil, handler: @escaping @Sendable (WebSocketEvent) -> Void) {
        self.url = url
        self.headers = headers
        self.options = options
        self.queue = queue ?? DispatchQueue(label: "castor.websocket.\(url.host)")
        self.handler = handler
    }

    /// Starts resolving, connecting, TLS and the upgrade. Errors arrive as `.failed`.
    public func connect() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard case .idle = phase else { return }
        do {
            try HandshakeRequest.validate(headers: headers)
            request = try HandshakeRequest(url: url, headers: headers)
        } catch {
            phase = .finished
            handler(.failed(error))
            return
        }
        phase = .resolving
        armTimer(after: options.connectTimeout)
        let host = url.host, port = url.port
        DispatchQueue.global().async { [self] in
            // getaddrinfo blocks; keep it off the connection queue.
            let result = Result { () throws(WebSocketError) in try TCPSocket.resolve(host: host, port: port) }
            queue.async { self.resolved(result) }
        }
    }

    /// Sends a text message. Allowed only while open.
    public func send(text: String) throws(WebSocketError) {
        try enqueue(opcode: WslayFramer.opText, payload: Array(text.utf8))
    }

    /// Sends a text message given as UTF-8 bytes (the caller's own encoder wrote them; it
    /// must be valid UTF-8: the peer fails the connection otherwise). Allowed only while open.
    public func send(textUTF8 payload: [UInt8]) throws(WebSocketError) {
        try enqueue(opcode: WslayFramer.opText, payload: payload)
    }

    /// Sends a binary message. Allowed only while open.
    public func send(binary: [UInt8]) throws(WebSocketError) {
        try enqueue(opcode: WslayFramer.opBinary, payload: binary)
    }

    /// Sends a ping (payload at most 125 bytes); the answer arrives as `.pong`.
    public func sendPing(_ payload: [UInt8] = []) throws(WebSocketError) {
        guard payload.count <= 125 else { throw .invalidState("ping payload exceeds 125 bytes") }
        try enqueue(opcode: WslayFramer.opPing, payload: payload)
    }

    /// Starts the close handshake; `.closed` follows when the server answers, or
    /// `.failed(.closeTimedOut)` after `closeTimeout`. Before `.open` it aborts the attempt.
    public func close(code: Int = 1000, reason: String = "") {
        dispatchPrecondition(condition: .onQueue(queue))
        switch phase {
        case .idle, .resolving, .connecting, .tlsHandshake, .upgrading:
            finish(.failed(.invalidState("connection attempt abandoned by close() before open")))
        case .open:
            // A close reason must fit a control frame (125 bytes minus the 2-byte code).
            let reasonBytes = Array(Array(reason.utf8).prefix(123))
            let code = (1000...4999).contains(code) ? UInt16(code) : 1000
            _ = framer?.queueClose(code: code, reason: reasonBytes)
            phase = .closing
            armTimer(after: options.closeTimeout)
            pumpWrites()
        case .closing, .failing, .finished:
            return
        }
    }

    /// Drops the connection at once without a close handshake; `.failed(.invalidState)` follows.
    public func cancel() {
        dispatchPrecondition(condition: .onQueue(queue))
        finish(.failed(.invalidState("connection cancelled by its owner")))
    }

    private func enqueue(opcode: UInt8, payload: [UInt8]) throws(WebSocketError) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard case .open = phase, let framer else {
            throw .invalidState("send is allowed only while the connection is open")
        }
        guard framer.queue(opcode: opcode, payload: payload) else {
            throw .invalidState("the connection is closing; nothing more can be sent")
        }
        pumpWrites()
    }

    // MARK: lifecycle shared by all phases

    /// (Re)arms the single deadline timer; its meaning depends on the phase when it fires.
    func armTimer(after seconds: Double) {
        if timer == nil {
            let t = DispatchSource.makeTimerSource(queue: queue)
            t.setEventHandler { [weak self] in self?.deadlinePassed() }
            t.schedule(deadline: .now() + seconds)
            t.activate()
            timer = t
        } else {
            timer?.schedule(deadline: .now() + seconds)
        }
    }

    private func deadlinePassed() {
        dispatchPrecondition(condition: .onQueue(queue))
        switch phase {
        case .resolving, .connecting:
            finish(.failed(.connectTimedOut(host: url.host, seconds: options.connectTimeout)))
        case .tlsHandshake, .upgrading:
            finish(.failed(.handshakeTimedOut(seconds: options.handshakeTimeout)))
        case .closing:
            finish(.failed(.closeTimedOut(seconds: options.closeTimeout)))
        case let .failing(error):
            finish(.failed(error ?? framerFailure()))
        case .idle, .open, .finished:
            return
        }
    }

    /// Ends the connection: releases timer, sources and fd, then reports `event` once.
    func finish(_ event: WebSocketEvent) {
        dispatchPrecondition(condition: .onQueue(queue))
        if case .finished = phase { return }
        let clean: Bool
        if case .closed = event { clean = true } else { clean = false }
        phase = .finished
        timer?.cancel()
        timer = nil
        if clean { stream?.shutdown() }
        channel?.close()
        channel = nil
        stream = nil
        tls = nil
        if !inFramer { framer = nil }
        handler(event)
    }
}
