import CastorCore
import GeminiProtocol

/// Records every handler call, for assertions.
struct RecordingHandler: MarketDataV2Handler {
    var l2: [(symbol: SymbolID, changes: [L2Change], extras: Bool)] = []
    var trades: [MarketDataV2Trade] = []
    var heartbeats: [Int64?] = []
    var candles: [CandleUpdate] = []
    var marks: [MarkPriceUpdate] = []
    var fundings: [FundingAmountUpdate] = []
    var auctions: [AuctionEvent] = []
    var replies: [SubscriptionReply] = []
    var unknown: [String] = []

    var callCount: Int {
        l2.count + trades.count + heartbeats.count + candles.count + marks.count + fundings.count
            + auctions.count + replies.count + unknown.count
    }

    mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {
        l2.append((symbol, Array(changes), carriesSnapshotExtras))
    }
    mutating func trade(_ trade: MarketDataV2Trade) { trades.append(trade) }
    mutating func heartbeat(timestampMs: Int64?) { heartbeats.append(timestampMs) }
    mutating func candle(_ candle: CandleUpdate) { candles.append(candle) }
    mutating func markPrice(_ update: MarkPriceUpdate) { marks.append(update) }
    mutating func fundingAmount(_ update: FundingAmountUpdate) { fundings.append(update) }
    mutating func auction(_ event: AuctionEvent) { auctions.append(event) }
    mutating func subscriptionReply(_ reply: SubscriptionReply) { replies.append(reply) }
    mutating func unknownMessage(type: UnsafeRawBufferPointer) { unknown.append(String(decoding: type, as: UTF8.self)) }
}

/// Decodes `text` with `decoder` into a fresh recording handler.
func decode(_ text: String, _ decoder: inout MarketDataV2Decoder) throws(MarketDataV2DecodingError) -> (MarketDataV2MessageKind, RecordingHandler) {
    var handler = RecordingHandler()
    let kind = try withBytes(text) { b throws(MarketDataV2DecodingError) in try decoder.decode(b, into: &handler) }
    return (kind, handler)
}

/// Calls `body` with a private copy of `text`'s UTF-8 bytes (exactly sized, so reading one
/// byte past the end would be caught by sanitizers).
func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) throws(MarketDataV2DecodingError) -> R) throws(MarketDataV2DecodingError) -> R {
    let utf8 = Array(text.utf8)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: utf8.count, alignment: 1)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: utf8)
    return try body(UnsafeRawBufferPointer(buffer))
}

func dec(_ s: String) -> ExactDecimal { ExactDecimal(s)! }
