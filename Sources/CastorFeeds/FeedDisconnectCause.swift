/// Why a feed connection was dropped (or never came up) and is being re-established.
///
/// Every reconnect carries one, so the engine can log it as a structured field
/// (`cause.code`) and a sentence (`description`). None of these is fatal: the feed
/// reconnects with backoff. Fatal problems are `FeedFatalError`.
public enum FeedDisconnectCause: Sendable, Hashable, CustomStringConvertible {
    /// The connection could not be established (DNS, TCP, TLS, upgrade refused with a
    /// retryable status, handshake timeout).
    case connectFailed(String)
    /// The peer closed the WebSocket with a close frame.
    case closedByPeer(code: Int, reason: String)
    /// The connection failed after it was open (reset, EOF without close, protocol error).
    case connectionLost(String)
    /// Order events: a message's `socket_sequence` was not the previous one plus one.
    case sequenceGap(expected: Int64, received: Int64)
    /// Order events: the heartbeat-only `sequence` counter skipped.
    case heartbeatSequenceGap(expected: Int64, received: Int64)
    /// No heartbeat (or, for feeds without heartbeats, no message) within the limit.
    case heartbeatSilence(milliseconds: Int64)
    /// Market data: no market-data message within the limit although the socket is up.
    case staleMarketData(milliseconds: Int64)
    /// A message could not be decoded; whatever it carried is lost, so resubscribe.
    case decodeError(String)
    /// Market data: a book became crossed or locked (bid >= ask); resubscribe for a snapshot.
    case crossedBook(symbol: String)
    /// The exchange answered with an error message on an open connection.
    case exchangeError(String)
    /// The owner called `stop()`. Not followed by a reconnect.
    case stopped

    /// A short stable identifier for logs and metrics.
    public var code: String {
        switch self {
        case .connectFailed: "connect_failed"
        case .closedByPeer: "closed_by_peer"
        case .connectionLost: "connection_lost"
        case .sequenceGap: "sequence_gap"
        case .heartbeatSequenceGap: "heartbeat_sequence_gap"
        case .heartbeatSilence: "heartbeat_silence"
        case .staleMarketData: "stale_market_data"
        case .decodeError: "decode_error"
        case .crossedBook: "crossed_book"
        case .exchangeError: "exchange_error"
        case .stopped: "stopped"
        }
    }

    public var description: String {
        switch self {
        case .connectFailed(let why): "connect failed: \(why)"
        case .closedByPeer(let code, let reason): "closed by peer with \(code)\(reason.isEmpty ? "" : " (\(reason))")"
        case .connectionLost(let why): "connection lost: \(why)"
        case .sequenceGap(let expected, let received): "socket_sequence gap: expected \(expected), received \(received)"
        case .heartbeatSequenceGap(let expected, let received):
            "heartbeat sequence gap: expected \(expected), received \(received)"
        case .heartbeatSilence(let ms): "no heartbeat for \(ms) ms"
        case .staleMarketData(let ms): "no market data for \(ms) ms"
        case .decodeError(let why): "undecodable message: \(why)"
        case .crossedBook(let symbol): "book \(symbol) crossed or locked"
        case .exchangeError(let what): "exchange error: \(what)"
        case .stopped: "stopped by owner"
        }
    }
}
