import CastorCore
import GeminiProtocol

// Gemini's market-data wire types as the domain values the engine reads. Like
// GeminiReports.swift, the one place that knows both sides.

extension MarketTradeReport {
    /// A market data v2 `trade` (or one of the recent trades an `l2_updates` snapshot
    /// carries). The id is `tid` when Gemini sends one, else `event_id`; an id beyond
    /// `Int64.max` (never seen) is clamped. `symbol` is the name of `t.symbol` in the
    /// adapter's books, so nothing is looked up or allocated per trade.
    public init(gemini t: MarketDataV2Trade, symbol: Symbol) {
        self.init(symbol: symbol, tradeID: Int64(clamping: t.tid ?? t.eventID), price: t.price, amount: t.quantity,
                  takerSide: t.takerSide, timestampMs: t.timestampMs, fromSnapshot: t.fromSnapshot)
    }
}

extension BookIndex {
    /// The index of the book a market data v2 decoder's `SymbolID` names, for a decoder
    /// built from `MarketBooks.makeSymbolTable()` (the ids are the books' positions).
    public init(gemini id: SymbolID) { self.init(rawValue: id.rawValue) }
}

extension SymbolID {
    /// The decoder's id of the book at `index` (the inverse of `BookIndex(gemini:)`).
    public init(_ index: BookIndex) { self.init(rawValue: index.rawValue) }
}
