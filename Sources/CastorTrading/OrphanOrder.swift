import CastorCore

/// An open exchange order with this instance's client order id prefix that no intent owns:
/// a lookup that lagged behind the exchange, an intent lost with a crash before it was
/// journaled. It is ours, so it is cancelled as soon as it is seen and its fills are
/// counted; until the exchange reports it finished, its unfilled amount counts towards
/// the risk limits like any other open order.
public struct OrphanOrder: Sendable, Hashable {
    public let orderID: VenueOrderID
    public let clientOrderID: String?
    public let symbol: Symbol
    /// Nil when no report named it: the orphan then counts against both sides' limits.
    public internal(set) var side: Side?
    /// Unfilled amount as last reported.
    public internal(set) var remaining: ExactDecimal
    /// A cancel has been sent since it was last seen open.
    public internal(set) var cancelRequested: Bool

    public init(orderID: VenueOrderID, clientOrderID: String?, symbol: Symbol, side: Side?, remaining: ExactDecimal,
                cancelRequested: Bool = false) {
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.remaining = remaining
        self.cancelRequested = cancelRequested
    }
}
