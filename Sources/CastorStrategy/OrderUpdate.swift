/// A change in one of our orders' state, delivered to ``Strategy/onOrderUpdate(_:context:)``.
/// Fills are delivered separately (``Strategy/onFill(_:context:)``), before the update
/// that reports the resulting state.
public struct OrderUpdate: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        case accepted
        case booked
        case partiallyFilled
        case filled
        /// `reason` is Gemini's cancel reason (e.g. `MakerOrCancelWouldTake`) when known.
        case cancelled(reason: String?)
        /// `reason` is the exchange's or engine's reason.
        case rejected(reason: String)
    }

    public var kind: Kind
    /// The order after the change.
    public var order: OrderView
    public var timestampMs: Int64

    public init(kind: Kind, order: OrderView, timestampMs: Int64) {
        self.kind = kind
        self.order = order
        self.timestampMs = timestampMs
    }

    /// True for filled, cancelled and rejected: the order is gone from the book.
    public var isTerminal: Bool {
        switch kind {
        case .filled, .cancelled, .rejected: true
        case .accepted, .booked, .partiallyFilled: false
        }
    }
}
