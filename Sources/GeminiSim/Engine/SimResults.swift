import CastorCore

/// One currency's balance (`/v1/balances` element: `amount` = total, `available`).
public struct SimBalance: Sendable, Hashable {
    public var currency: String
    /// Everything the account owns in this currency (`amount`).
    public var total: ExactDecimal
    /// The part reserved by open orders.
    public var held: ExactDecimal
    /// `available` (and `availableForWithdrawal`): total minus held.
    public var available: ExactDecimal { total - held }
}

/// Result of `/v1/order/cancel/session` and `/v1/order/cancel/all`.
public struct SimCancelSummary: Sendable, Hashable {
    /// `cancelledOrders`, in order-id order.
    public var cancelledOrders: [Int64]
    /// `cancelRejects`.
    public var cancelRejects: [Int64]
}

/// One aggregated book level (`/v1/book` element).
public struct SimBookLevel: Sendable, Hashable {
    public var price: ExactDecimal
    public var amount: ExactDecimal
}

/// Aggregated order book, best price first on each side.
public struct SimBookSnapshot: Sendable, Hashable {
    public var symbol: String
    public var bids: [SimBookLevel]
    public var asks: [SimBookLevel]
}

/// `/v1/notionalvolume` essentials.
public struct SimNotionalVolume: Sendable, Hashable {
    public var makerFeeBps: Int
    public var takerFeeBps: Int
    /// Quote-currency notional traded by the account (all time; the simulator does not
    /// convert currencies, so mixed quotes simply add up).
    public var notionalVolume: ExactDecimal
    public var lastUpdatedMs: Int64
}

/// Everything an account did: the truth tests reconcile a client against.
public struct SimLedger: Sendable, Hashable {
    /// Every accepted order, oldest first, with its trades.
    public var orders: [SimOrderSnapshot]
    /// Every fill of the account, oldest first.
    public var trades: [SimTrade]
}
