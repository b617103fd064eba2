/// Where an order is in its life.
public enum OrderState: String, Sendable, Hashable {
    /// Sent, no answer from the exchange yet.
    case pending
    /// Accepted by the exchange, not yet known to rest on the book.
    case accepted
    /// Resting on the book, nothing filled.
    case booked
    /// Resting with part of it filled.
    case partiallyFilled
    /// Completely filled (terminal).
    case filled
    /// Cancelled, possibly after partial fills (terminal).
    case cancelled
    /// Rejected by the exchange or the engine (terminal).
    case rejected

    /// True once no more fills can arrive.
    public var isTerminal: Bool { self == .filled || self == .cancelled || self == .rejected }
}
