import Glibc

/// The v2 `type` values the decoder understands, classified from the raw bytes.
enum MessageType: Equatable {
    case l2Updates, trade, heartbeat, markPrice, fundingAmount, auction, request, unknown
    case candles(CandleTimeframe)

    init(_ b: UnsafeRawBufferPointer) {
        switch b.count {
        case 10 where MessageType.eq(b, "l2_updates"): self = .l2Updates
        case 5 where MessageType.eq(b, "trade"): self = .trade
        case 9 where MessageType.eq(b, "heartbeat"): self = .heartbeat
        case 9 where MessageType.eq(b, "subscribe"): self = .request
        case 11 where MessageType.eq(b, "unsubscribe"): self = .request
        case 18 where MessageType.eq(b, "mark_price_updates"): self = .markPrice
        case 22 where MessageType.eq(b, "funding_amount_updates"): self = .fundingAmount
        case 12 where MessageType.eq(b, "auction_open"),
             18 where MessageType.eq(b, "auction_indicative"),
             14 where MessageType.eq(b, "auction_result"):
            self = .auction
        default:
            self = MessageType.candles(b).map { .candles($0) } ?? .unknown
        }
    }

    /// `candles_{tf}_updates` → its timeframe.
    private static func candles(_ b: UnsafeRawBufferPointer) -> CandleTimeframe? {
        let prefix = 8, suffix = 8 // "candles_" and "_updates"
        guard b.count > prefix + suffix,
              memcmp(b.baseAddress!, ("candles_" as StaticString).utf8Start, prefix) == 0,
              memcmp(b.baseAddress! + b.count - suffix, ("_updates" as StaticString).utf8Start, suffix) == 0
        else { return nil }
        let tf = UnsafeRawBufferPointer(rebasing: b[prefix..<(b.count - suffix)])
        for t in CandleTimeframe.allCases {
            var name = t.wireName
            let same = name.withUTF8 { n in n.count == tf.count && memcmp(n.baseAddress!, tf.baseAddress!, n.count) == 0 }
            if same { return t }
        }
        return nil
    }

    /// Auction kind from an auction message's `type` bytes.
    static func auctionKind(_ b: UnsafeRawBufferPointer) -> AuctionEvent.Kind? {
        if eq(b, "auction_open") { return .open }
        if eq(b, "auction_indicative") { return .indicative }
        if eq(b, "auction_result") { return .result }
        return nil
    }

    @inline(__always) static func eq(_ b: UnsafeRawBufferPointer, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        return b.count == n && memcmp(b.baseAddress!, s.utf8Start, n) == 0
    }
}
