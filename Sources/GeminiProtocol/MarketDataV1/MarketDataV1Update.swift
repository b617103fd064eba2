/// An `update` frame: a batch of book changes, trades and auction events.
public struct MarketDataV1Update: Sendable, Hashable, Decodable {
    /// Persistent across connections but not contiguous; do not use it for gap detection.
    public let eventID: Int64
    public let socketSequence: Int64?
    /// Seconds; absent on the first (initial book) update.
    public let timestampSeconds: Int64?
    /// Milliseconds; absent on the first (initial book) update.
    public let timestampMilliseconds: Int64?
    public let events: [MarketDataV1Event]

    /// True for the full-book snapshot that starts every connection (all changes have
    /// reason `initial`). Deltas received before it must be ignored (§8.3).
    public var isInitialSnapshot: Bool {
        !events.isEmpty && events.allSatisfy {
            if case .change(let change) = $0 { return change.reason == .initial }
            return false
        }
    }

    private enum CodingKeys: String, CodingKey {
        case eventID = "eventId", socketSequence = "socket_sequence"
        case timestamp, timestampms, events
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        eventID = try c.decodeFlexibleInt64(.eventID)
        socketSequence = try c.decodeFlexibleInt64IfPresent(.socketSequence)
        timestampSeconds = try c.decodeFlexibleInt64IfPresent(.timestamp)
        timestampMilliseconds = try c.decodeFlexibleInt64IfPresent(.timestampms)
        events = try c.decode([MarketDataV1Event].self, forKey: .events)
    }
}
