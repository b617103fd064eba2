import CastorCore

/// A v2 `trade` message, or one entry of a snapshot's `trades` array.
public struct MarketDataV2Trade: Sendable, Equatable {
    public var symbol: SymbolID
    /// `event_id`; cryptofeed and Castor use it as the trade id.
    public var eventID: UInt64
    /// Milliseconds since the epoch.
    public var timestampMs: Int64
    public var price: ExactDecimal
    public var quantity: ExactDecimal
    /// The taker's side.
    public var takerSide: Side
    /// `tid`, present in the docs' example and absent from real 2021 captures.
    public var tid: UInt64?
    /// True for the recent trades carried inside an `l2_updates` snapshot (history, not new).
    public var fromSnapshot: Bool

    public init(symbol: SymbolID, eventID: UInt64, timestampMs: Int64, price: ExactDecimal,
                quantity: ExactDecimal, takerSide: Side, tid: UInt64? = nil, fromSnapshot: Bool = false) {
        self.symbol = symbol
        self.eventID = eventID
        self.timestampMs = timestampMs
        self.price = price
        self.quantity = quantity
        self.takerSide = takerSide
        self.tid = tid
        self.fromSnapshot = fromSnapshot
    }
}
