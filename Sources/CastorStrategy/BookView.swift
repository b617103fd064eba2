import CastorCore

/// A snapshot of the top of one symbol's order book, as the engine passes it to a
/// strategy. It is a value: holding on to it does not see later changes.
public struct BookView: Sendable, Hashable {
    public var symbol: String
    /// Bids, best (highest) first; at most the engine's configured depth.
    public var bids: [BookLevel]
    /// Asks, best (lowest) first; at most the engine's configured depth.
    public var asks: [BookLevel]
    /// Engine time (ms) of the last change that produced this view.
    public var timestampMs: Int64

    public init(symbol: String, bids: [BookLevel], asks: [BookLevel], timestampMs: Int64) {
        self.symbol = symbol
        self.bids = bids
        self.asks = asks
        self.timestampMs = timestampMs
    }

    public var top: BookTop { BookTop(bestBid: bids.first, bestAsk: asks.first) }
    public var bestBid: BookLevel? { bids.first }
    public var bestAsk: BookLevel? { asks.first }
    /// See ``BookTop/mid``.
    public var mid: ExactDecimal? { top.mid }
    /// See ``BookTop/spread``.
    public var spread: ExactDecimal? { top.spread }
}
