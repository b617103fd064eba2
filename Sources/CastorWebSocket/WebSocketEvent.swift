/// What a `WebSocketClient` reports to its owner, always on the connection's queue.
///
/// Exactly one terminal event (`.closed` or `.failed`) ends every connection attempt.
public enum WebSocketEvent {
    /// The upgrade succeeded; sending is now allowed.
    case open
    /// A complete (reassembled) message. Its payload is borrowed: use it during the call only.
    case message(WebSocketMessage)
    /// A pong arrived (answer to `sendPing()`).
    case pong
    /// Clean close handshake: the server's status code (1005 if it sent none) and reason.
    case closed(code: Int, reason: String)
    /// The connection failed or ended without a close handshake.
    case failed(WebSocketError)
}

/// One received WebSocket message whose payload lives in libwslay's buffer.
///
/// The payload is valid only while the event handler runs; parse it in place with
/// `withUnsafeBytes` (no copy on the market-data path) or copy it with `bytes`/`text`.
/// Escaping the message or its buffer out of the handler is a use-after-free.
public struct WebSocketMessage {
    public enum Kind: Equatable, Sendable { case text, binary }

    public let kind: Kind
    private let payload: UnsafeRawBufferPointer

    init(kind: Kind, payload: UnsafeRawBufferPointer) {
        self.kind = kind
        self.payload = payload
    }

    /// Payload length in bytes.
    public var count: Int { payload.count }

    /// Calls `body` with the borrowed payload; the buffer must not escape `body`.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(payload)
    }

    /// A copy of the payload.
    public var bytes: [UInt8] { Array(payload) }

    /// The payload decoded as UTF-8 (text messages are already validated by the framer).
    public var text: String { String(decoding: payload, as: UTF8.self) }
}
