/// The connection state of a feed adapter, as its delegate sees it.
public enum FeedConnectionState: Sendable, Hashable, CustomStringConvertible {
    /// Not started (or stopped by the owner).
    case idle
    /// Opening the connection (TCP, TLS, upgrade).
    case connecting
    /// Open; subscribing and waiting for the first confirming message.
    case subscribing
    /// Data is flowing. For market data every book resets on each (re)connect and its
    /// first update after `.live` is a snapshot; for order events the engine reconciles.
    case live
    /// The connection was lost or dropped on purpose for `cause`; the next attempt
    /// (`attempt`, 1-based since the last stable period) starts after `delayMs`.
    case reconnecting(cause: FeedDisconnectCause, attempt: Int, delayMs: Int64)
    /// A fatal error stopped the feed; it will not reconnect by itself.
    case failed(FeedFatalError)

    public var description: String {
        switch self {
        case .idle: "idle"
        case .connecting: "connecting"
        case .subscribing: "subscribing"
        case .live: "live"
        case .reconnecting(let cause, let attempt, let delay): "reconnecting (attempt \(attempt) in \(delay) ms): \(cause)"
        case .failed(let error): "failed: \(error)"
        }
    }
}
