import CastorCore

/// One event in the life of one order, from the venue's order feed. The venue layer maps
/// its wire events to it (and drops acknowledgements and heartbeats); duplicates and
/// events of foreign orders are allowed.
public struct OrderReport: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// Part of the snapshot of working orders the feed sends on connect.
        case initial
        case accepted
        case booked
        case fill
        case cancelled
        /// A cancel was refused; the order keeps working.
        case cancelRejected
        case rejected
        /// The order is done (filled, or cancelled when `isCancelled`).
        case closed
        /// A kind this build does not know (kept as sent, for the log).
        case unknown(String)

        public var description: String {
            switch self {
            case .initial: "initial"
            case .accepted: "accepted"
            case .booked: "booked"
            case .fill: "fill"
            case .cancelled: "cancelled"
            case .cancelRejected: "cancel_rejected"
            case .rejected: "rejected"
            case .closed: "closed"
            case .unknown(let raw): raw
            }
        }
    }

    /// One execution, on `fill` events.
    public struct Execution: Sendable, Hashable {
        public let tradeID: String
        public let price: ExactDecimal
        public let amount: ExactDecimal
        public let fee: ExactDecimal
        public let feeCurrency: String?
        /// True for a maker fill, false for a taker one, nil when the venue did not say.
        public let isMaker: Bool?

        public init(tradeID: String, price: ExactDecimal, amount: ExactDecimal, fee: ExactDecimal,
                    feeCurrency: String?, isMaker: Bool?) {
            self.tradeID = tradeID
            self.price = price
            self.amount = amount
            self.fee = fee
            self.feeCurrency = feeCurrency
            self.isMaker = isMaker
        }
    }

    public let kind: Kind
    /// The venue's order id (an event without one never becomes a report).
    public let orderID: VenueOrderID
    public let clientOrderID: String?
    public let symbol: Symbol
    /// Nil when the event omits it (the order's side is known from its id).
    public let side: Side?
    public let price: ExactDecimal?
    public let originalAmount: ExactDecimal?
    /// Cumulative executed quantity, when the event carries it.
    public let executedAmount: ExactDecimal?
    public let remainingAmount: ExactDecimal?
    public let isLive: Bool?
    public let isCancelled: Bool?
    /// Why it was rejected, cancelled or its cancel refused.
    public let reason: VenueReason?
    /// Milliseconds since the epoch, when known.
    public let timestampMs: Int64?
    /// The execution, on `fill` events.
    public let execution: Execution?

    public init(kind: Kind, orderID: VenueOrderID, clientOrderID: String?, symbol: Symbol, side: Side?,
                price: ExactDecimal?, originalAmount: ExactDecimal?, executedAmount: ExactDecimal?,
                remainingAmount: ExactDecimal?, isLive: Bool?, isCancelled: Bool?, reason: VenueReason? = nil,
                timestampMs: Int64? = nil, execution: Execution? = nil) {
        self.kind = kind
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.price = price
        self.originalAmount = originalAmount
        self.executedAmount = executedAmount
        self.remainingAmount = remainingAmount
        self.isLive = isLive
        self.isCancelled = isCancelled
        self.reason = reason
        self.timestampMs = timestampMs
        self.execution = execution
    }

    /// Where the order stands, when the event says: cancelled, else open while live, else filled.
    public var state: OrderSnapshot.State? {
        guard let isLive else { return nil }
        return isCancelled == true ? .cancelled : (isLive ? .open : .filled)
    }
}
