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
            let last = message.socketSequence ?? first
            guard let next = Self.successor(of: last) else { return .reconnect(Self.exhausted("socket_sequence", last)) }
            expectedSocketSequence = next
        } else if let sequence = message.socketSequence {
            guard sequence == expectedSocketSequence else {
                return .reconnect(.sequenceGap(expected: expectedSocketSequence, received: sequence))
            }
            guard let next = Self.successor(of: sequence) else { return .reconnect(Self.exhausted("socket_sequence", sequence)) }
            expectedSocketSequence = next
        }
        if case .heartbeat(let heartbeat) = message, let sequence = heartbeat.sequence {
            if let expected = expectedHeartbeatSequence, sequence != expected {
                return .reconnect(.heartbeatSequenceGap(expected: expected, received: sequence))
            }
            guard let next = Self.successor(of: sequence) else { return .reconnect(Self.exhausted("heartbeat sequence", sequence)) }
            expectedHeartbeatSequence = next
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

    /// The `initial` snapshot is taken as complete because nothing followed the ack or the
    /// last `initial` event for a quiet period (Gemini sends no end marker; the next message
    /// may be a heartbeat seconds later). Returns the orders once; nil before the ack or
    /// when the snapshot was already complete.
    public mutating func quietPeriodElapsed() -> [OrderEvent]? {
        guard ackReceived, !snapshotComplete else { return nil }
        snapshotComplete = true
        let orders = initialOrders
        initialOrders = []
        return orders
    }

    /// `value + 1`, or nil at `Int64.max`: the counters come from the network, and a hostile
    /// or corrupt one must become a reconnect, never an overflow trap.
    private static func successor(of value: Int64) -> Int64? {
        let (next, overflow) = value.addingReportingOverflow(1)
        return overflow ? nil : next
    }

    private static func exhausted(_ counter: String, _ value: Int64) -> FeedDisconnectCause {
        .decodeError("\(counter) \(value) has no successor")
    }
}
