/// One frame from `/v1/order/events`.
public enum OrderEventsMessage: Sendable, Hashable {
    case subscriptionAck(OrderEventsSubscriptionAck)
    case heartbeat(OrderEventsHeartbeat)
    /// One or more events, in exchange order (the feed batches them in a JSON array).
    case events([OrderEvent])
    /// `{"result":"error",…}`, e.g. `MissingRole` when the key lacks the Trader role.
    case error(GeminiErrorBody)
    /// An object with a `type` this module does not know.
    case unknown(type: String, socketSequence: Int64?)

    /// The frame's `socket_sequence`, for gap detection. For a batch of events it is the
    /// last event's that carries one, so the next frame should be that plus one. The
    /// subscription ack and error bodies have none.
    public var socketSequence: Int64? {
        switch self {
        case .subscriptionAck, .error: nil
        case .heartbeat(let heartbeat): heartbeat.socketSequence
        case .events(let events): events.last(where: { $0.socketSequence != nil })?.socketSequence
        case .unknown(_, let sequence): sequence
        }
    }
}
