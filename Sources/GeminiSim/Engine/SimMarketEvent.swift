import CastorCore

/// A price level's new total (Market Data v2 `l2_updates` change: `[side, price, quantity]`).
public struct SimLevelChange: Sendable, Hashable {
    public var symbol: String
    /// `buy` for bids, `sell` for asks.
    public var side: Side
    public var price: ExactDecimal
    /// New total resting quantity at `price`; zero when the level is gone.
    public var quantity: ExactDecimal
}

/// A public trade (Market Data v2 `trade`, `/v1/trades` element).
public struct SimPublicTrade: Sendable, Hashable {
    public var symbol: String
    /// `tid` (also usable as `event_id`).
    public var tid: Int64
    public var price: ExactDecimal
    public var quantity: ExactDecimal
    /// The taker's side: `buy` means an ask was lifted.
    public var takerSide: Side
    public var timestampms: Int64
}

/// What the market-data server publishes, in exchange order. Level changes are coalesced
/// per engine call: one change per touched level, carrying its total after the call.
public enum SimMarketEvent: Sendable, Hashable {
    case level(SimLevelChange)
    case trade(SimPublicTrade)

    /// The symbol the event belongs to.
    public var symbol: String {
        switch self {
        case .level(let change): change.symbol
        case .trade(let trade): trade.symbol
        }
    }
}
