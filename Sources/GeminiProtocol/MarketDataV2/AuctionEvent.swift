import CastorCore

/// An auction message: top-level `auction_open` / `auction_indicative` / `auction_result`,
/// or an entry of a snapshot's `auction_events`. Fields absent on the wire are nil.
public struct AuctionEvent: Sendable, Equatable {
    public enum Kind: UInt8, Sendable { case open, indicative, result }

    public var kind: Kind
    public var symbol: SymbolID
    /// `time_ms` (indicative/result).
    public var timeMs: Int64?
    /// `auction_time_ms` (open).
    public var auctionTimeMs: Int64?
    /// `first_indicative_ms` (open).
    public var firstIndicativeMs: Int64?
    /// `last_cancel_time_ms` (open).
    public var lastCancelTimeMs: Int64?
    /// `result == "success"`; nil when absent.
    public var succeeded: Bool?
    public var highestBidPrice: ExactDecimal?
    public var lowestAskPrice: ExactDecimal?
    public var collarPrice: ExactDecimal?
    public var auctionPrice: ExactDecimal?
    public var auctionQuantity: ExactDecimal?
    /// True when carried inside an `l2_updates` snapshot.
    public var fromSnapshot: Bool

    public init(kind: Kind, symbol: SymbolID, fromSnapshot: Bool = false) {
        self.kind = kind
        self.symbol = symbol
        self.fromSnapshot = fromSnapshot
    }
}
