/// One frame from `wss://api.gemini.com/v1/marketdata/{symbol}` (§7.2).
public enum MarketDataV1Message: Sendable, Hashable {
    case update(MarketDataV1Update)
    /// Sent every 5 s with `heartbeat=true`; carries only the sequence.
    case heartbeat(socketSequence: Int64?)
    /// A frame `type` this module does not know.
    case unknown(type: String, socketSequence: Int64?)

    /// The per-connection counter (0-based, +1 per frame, heartbeats included): the only
    /// reliable gap detector, since `eventId` is not contiguous.
    public var socketSequence: Int64? {
        switch self {
        case .update(let update): update.socketSequence
        case .heartbeat(let sequence): sequence
        case .unknown(_, let sequence): sequence
        }
    }
}
