/// The `type` of an order event on `/v1/order/events` (§6.3).
public enum OrderEventType: Sendable, Hashable, CustomStringConvertible {
    /// One per active order in the snapshot sent after subscribing.
    case initial
    /// The exchange received the order.
    case accepted
    /// The order was refused; see `reason`.
    case rejected
    /// The order is now visible on the book.
    case booked
    /// One execution; see `fill`.
    case fill
    /// The order was cancelled; may carry `reason`.
    case cancelled
    /// A cancel request was refused; the order keeps resting.
    case cancelRejected
    /// The last event for an order.
    case closed
    /// A type this module does not know; decoded best-effort, never an error.
    case unknown(String)

    public init(wireValue: String) {
        switch wireValue {
        case "initial": self = .initial
        case "accepted": self = .accepted
        case "rejected": self = .rejected
        case "booked": self = .booked
        case "fill": self = .fill
        case "cancelled": self = .cancelled
        case "cancel_rejected": self = .cancelRejected
        case "closed": self = .closed
        default: self = .unknown(wireValue)
        }
    }

    /// The wire spelling.
    public var wireValue: String {
        switch self {
        case .initial: "initial"
        case .accepted: "accepted"
        case .rejected: "rejected"
        case .booked: "booked"
        case .fill: "fill"
        case .cancelled: "cancelled"
        case .cancelRejected: "cancel_rejected"
        case .closed: "closed"
        case .unknown(let name): name
        }
    }

    public var isKnown: Bool {
        if case .unknown = self { return false }
        return true
    }

    public var description: String { wireValue }
}
