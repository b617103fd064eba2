import GeminiProtocol

/// Per-connection bookkeeping of `/v1/order/events` (API.md §6.2–6.4): `socket_sequence`
/// contiguity, heartbeat `sequence` contiguity, and where the `initial` snapshot ends.
///
/// A value type without I/O; create a fresh one for every connection (sequences restart
/// at 0 on each).
public struct OrderEventsSequenceTracker: Sendable {
    /// What to do with a message.
    public enum Verdict: Sendable, Equatable {
        /// Deliver it. `completesSnapshot` with the `initial` orders: signal the end of the
        /// snapshot before delivering this message.
        case deliver(completesSnapshot: [OrderEvent]?)
        /// The sequence broke: drop the connection with this cause (do not deliver).
        case reconnect(FeedDisconnectCause)
    }

    /// The `socket_sequence` the next numbered message must carry.
    public private(set) var expectedSocketSequence: Int64 = 0
    /// The heartbeat `sequence` the next heartbeat must carry (nil before the first).
    public private(set) var expectedHeartbeatSequence: Int64?
    public private(set) var ackReceived = false
    public private(set) var snapshotComplete = false
    private var initialOrders: [OrderEvent] = []

    public init() {}

    public mutating func accept(_ message: OrderEventsMessage) -> Verdict {
        if case .subscriptionAck = message {
            ackReceived = true
            return .deliver(completesSnapshot: nil)
        }
        if case .events(let events) = message, let first = events.first(where: { $0.socketSequence != nil })?.socketSequence {
            guard first == expectedSocketSequence else {
                return .reconnect(.sequenceGap(expected: expectedSocketSequence, received: first))
            }
            expectedSocketSequence = (message.socketSequence ?? first) + 1
        } else if let sequence = message.socketSequence {
            guard sequence == expectedSocketSequence else {
                return .reconnect(.sequenceGap(expected: expectedSocketSequence, received: sequence))
            }
            expectedSocketSequence = sequence + 1
        }
        if case .heartbeat(let heartbeat) = message, let sequence = heartbeat.sequence {
            if let expected = expectedHeartbeatSequence, sequence != expected {
                return .reconnect(.heartbeatSequenceGap(expected: expected, received: sequence))
            }
            expectedHeartbeatSequence = sequence + 1
        }
        guard !snapshotComplete else { return .deliver(completesSnapshot: nil) }
        if case .events(let events) = message, events.allSatisfy({ $0.type == .initial }) {
            initialOrders += events
            return .deliver(completesSnapshot: nil)
        }
        if case .error = message { return .deliver(completesSnapshot: nil) }
        snapshotComplete = true
        let orders = initialOrders
        initialOrders = []
        return .deliver(completesSnapshot: orders)
    }
}
