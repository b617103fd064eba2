/// One `depthUpdate` frame's header (WS-API.md §3.5); its levels come beside it.
public struct WSAPIDepthUpdate: Sendable, Equatable {
    public var symbol: SymbolID
    /// `U`: the first update id the frame covers (ids are global across symbols).
    public var firstUpdateID: Int64
    /// `u`: the last update id it covers; the book's id once applied.
    public var lastUpdateID: Int64
    /// `E`: event time in nanoseconds (0 when absent).
    public var eventTimeNs: Int64

    public init(symbol: SymbolID, firstUpdateID: Int64, lastUpdateID: Int64, eventTimeNs: Int64) {
        self.symbol = symbol
        self.firstUpdateID = firstUpdateID
        self.lastUpdateID = lastUpdateID
        self.eventTimeNs = eventTimeNs
    }
}

/// Receives what `WSAPIMarketDecoder` decoded from one frame, only after the whole frame
/// validated.
public protocol WSAPIMarketHandler {
    /// A differential (or, first after a subscribe, absolute) book frame. `levels` holds the
    /// bids (`side == .buy`) and asks as sent, unsorted; quantity 0 removes a level. The
    /// buffer is the decoder's scratch: valid for this call only.
    mutating func depthUpdate(_ update: WSAPIDepthUpdate, levels: UnsafeBufferPointer<L2Change>)
    /// A public trade (`takerSide` from `m`: buyer is maker → the taker sold).
    mutating func trade(_ trade: MarketDataV2Trade)
    /// A reply to one of our requests.
    mutating func reply(_ reply: WSAPIReply)
}

/// What kind of frame a market-data frame was.
public enum WSAPIMarketMessageKind: Sendable, Equatable {
    case depthUpdate
    case trade
    case reply
    /// A `bookTicker` or partial-depth frame: not subscribed by Castor, ignored.
    case ignored
    /// A depth or trade frame of a symbol the decoder was not given: ignored.
    case unknownSymbol
    /// A trade lacking a field it needs (WS-API §8.3 has one without `q`): counted,
    /// ignored, the stream stays up. Books do not depend on trades.
    case malformedTrade
    /// Valid JSON of no kind this decoder knows (logged once, ignored).
    case other
}
