/// The order-events heartbeat, every 5 s when subscribed with `heartbeat=true`.
public struct OrderEventsHeartbeat: Sendable, Hashable, Decodable {
    public let timestampMilliseconds: Int64?
    /// Heartbeat-only counter; should also be contiguous.
    public let sequence: Int64?
    public let traceID: String?
    /// The connection-wide counter shared with events (§6.4).
    public let socketSequence: Int64?

    public init(timestampMilliseconds: Int64?, sequence: Int64?, traceID: String?, socketSequence: Int64?) {
        self.timestampMilliseconds = timestampMilliseconds
        self.sequence = sequence
        self.traceID = traceID
        self.socketSequence = socketSequence
    }

    private enum CodingKeys: String, CodingKey {
        case timestampms, sequence, traceID = "trace_id", socketSequence = "socket_sequence"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timestampMilliseconds = try c.decodeFlexibleInt64IfPresent(.timestampms)
        sequence = try c.decodeFlexibleInt64IfPresent(.sequence)
        traceID = try c.decodeIDIfPresent(.traceID)
        socketSequence = try c.decodeFlexibleInt64IfPresent(.socketSequence)
    }
}
