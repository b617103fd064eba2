import CastorCore

/// Decodes messages received from `wss://api.gemini.com/v2/marketdata` and hands their
/// contents to a `MarketDataV2Handler`, without allocating per message.
///
/// It is a real JSON parser over the received bytes: any key order, whitespace, escapes,
/// unknown keys and nested values; decimals as JSON strings or numbers. Each message is
/// decoded in two steps so the handler never sees part of a bad message:
/// 1. one pass over the top-level object validates the whole text (syntax, nesting,
///    trailing bytes) and notes where `type`, `symbol`, `changes`, … start;
/// 2. the values the type needs are parsed into scratch arrays kept between messages
///    (their capacity is reused, so no allocation after warm-up), then emitted.
///
/// Plain `l2_updates` and `trade` messages (the bulk of the traffic) first go through
/// single-pass scanners (`+FastL2`, `+FastTrade`) that accept a strict subset of what the
/// general parser accepts, with the same result; anything else falls back to it.
///
/// Symbols are interned in `symbols`; a new symbol allocates once.
///
/// Not thread-safe: the decoder owns mutable scratch storage. Confine an instance to the
/// queue that owns the connection (one decoder per connection).
public struct MarketDataV2Decoder {
    /// Symbol names ↔ ids for everything this decoder has seen.
    public var symbols: SymbolTable
    /// Messages whose `type` was not recognised (tolerated, not errors).
    public private(set) var unknownTypeCount = 0

    var changes: [L2Change] = []
    var trades: [MarketDataV2Trade] = []
    var auctions: [AuctionEvent] = []
    var candles: [CandleUpdate] = []
    var marks: [MarkPriceUpdate] = []
    var fundings: [FundingAmountUpdate] = []
    /// Scratch for the fast `l2_updates` path: `fastChangeCapacity` slots, written in place.
    var fastChanges: [L2Change]

    public init(symbols: SymbolTable = SymbolTable()) {
        self.symbols = symbols
        fastChanges = Array(repeating: L2Change(side: .buy, price: .zero, quantity: .zero),
                            count: MarketDataV2Decoder.fastChangeCapacity)
        changes.reserveCapacity(1024)
        trades.reserveCapacity(64)
        auctions.reserveCapacity(8)
        candles.reserveCapacity(64)
        marks.reserveCapacity(8)
        fundings.reserveCapacity(8)
    }

    /// Decodes one message (one WebSocket text frame, or one recorded line without its
    /// prefix) and calls `handler` with its contents.
    ///
    /// - Returns: what kind of message it was.
    /// - Throws: `MarketDataV2DecodingError` if the bytes are not a well-formed v2 message;
    ///   the handler was then not called for this message.
    public mutating func decode<H: MarketDataV2Handler>(
        _ message: UnsafeRawBufferPointer, into handler: inout H
    ) throws(MarketDataV2DecodingError) -> MarketDataV2MessageKind {
        switch fastPath(message) {
        case .l2Updates(let symbol, let count):
            fastChanges.withUnsafeBufferPointer {
                handler.l2Updates(symbol: symbol, changes: UnsafeBufferPointer(rebasing: $0[0..<count]),
                                  carriesSnapshotExtras: false)
            }
            return .l2Updates
        case .trade(let trade):
            handler.trade(trade)
            return .trade
        case .general:
            break
        }
        var c = JSONCursor(message)
        c.skipWhitespace()
        let objectStart = c.position
        guard c.current == 0x7B else {
            try c.skipValue()
            try c.expectEnd()
            throw .notAnObject(offset: objectStart)
        }
        // Pass 1: validate everything, remember where the interesting values start.
        var typeAt = -1, symbolAt = -1, changesAt = -1, tradesAt = -1, auctionsAt = -1, resultAt = -1
        var changesParsed = false
        c.position += 1
        var more = c.containerHasMembers(closing: 0x7D)
        while more {
            let key = try c.readKey()
            c.skipWhitespace()
            let at = c.position
            switch TopLevelKey(key, in: c) {
            case .type: typeAt = at
            case .symbol: symbolAt = at
            case .changes:
                changesAt = at
                // Speculate that this is an l2 `changes` array and parse it now, sparing a
                // second scan of the message's bulk. Nothing is emitted before the whole
                // object validated; on failure (candles, bad data) rewind, and pass 2
                // re-parses by type and reports the precise error.
                do {
                    try readChanges(&c, at: at)
                    changesParsed = true
                } catch {
                    changesParsed = false
                    c.position = at
                }
            case .trades: tradesAt = at
            case .auctionEvents: auctionsAt = at
            case .result: resultAt = at
            case .other: break
            }
            if c.position == at { try c.skipValue() }
            more = try c.containerContinues(closing: 0x7D)
        }
        try c.expectEnd()

        // Pass 2: interpret.
        guard typeAt >= 0 else {
            guard resultAt >= 0 else { throw .missingField(.type, offset: objectStart) }
            c.position = objectStart
            handler.subscriptionReply(try readReply(&c))
            return .subscriptionReply
        }
        c.position = typeAt
        let typeToken = try readString(&c, .type)
        let kind = c.withUnescaped(typeToken) { MessageType($0) } ?? .unknown

        switch kind {
        case .l2Updates:
            let symbol = try readSymbol(&c, at: symbolAt, objectStart: objectStart)
            guard changesAt >= 0 else { throw .missingField(.changes, offset: objectStart) }
            if !changesParsed { try readChanges(&c, at: changesAt) }
            let extras = tradesAt >= 0 || auctionsAt >= 0
            if extras {
                // Only snapshots carry these; parse both before emitting anything.
                trades.removeAll(keepingCapacity: true)
                auctions.removeAll(keepingCapacity: true)
                if tradesAt >= 0 { try readTrades(&c, at: tradesAt, symbol: symbol) }
                if auctionsAt >= 0 { try readAuctions(&c, at: auctionsAt, symbol: symbol) }
            }
            changes.withUnsafeBufferPointer {
                handler.l2Updates(symbol: symbol, changes: $0, carriesSnapshotExtras: extras)
            }
            if extras {
                for t in trades { handler.trade(t) }
                for a in auctions { handler.auction(a) }
            }
            return .l2Updates
        case .trade:
            c.position = objectStart
            handler.trade(try readTrade(&c, defaultSymbol: nil, fromSnapshot: false))
            return .trade
        case .heartbeat:
            c.position = objectStart
            handler.heartbeat(timestampMs: try readHeartbeat(&c))
            return .heartbeat
        case .candles(let timeframe):
            let symbol = try readSymbol(&c, at: symbolAt, objectStart: objectStart)
            guard changesAt >= 0 else { throw .missingField(.changes, offset: objectStart) }
            try readCandles(&c, at: changesAt, symbol: symbol, timeframe: timeframe)
            for k in candles { handler.candle(k) }
            return .candles
        case .markPrice:
            let symbol = try readSymbol(&c, at: symbolAt, objectStart: objectStart)
            guard changesAt >= 0 else { throw .missingField(.changes, offset: objectStart) }
            try readMarkPrices(&c, at: changesAt, symbol: symbol)
            for m in marks { handler.markPrice(m) }
            return .markPrice
        case .fundingAmount:
            let symbol = try readSymbol(&c, at: symbolAt, objectStart: objectStart)
            guard changesAt >= 0 else { throw .missingField(.changes, offset: objectStart) }
            try readFundingAmounts(&c, at: changesAt, symbol: symbol)
            for f in fundings { handler.fundingAmount(f) }
            return .fundingAmount
        case .auction:
            c.position = objectStart
            handler.auction(try readAuction(&c, defaultSymbol: nil, fromSnapshot: false))
            return .auction
        case .request:
            return .outgoingRequest
        case .unknown:
            unknownTypeCount += 1
            _ = c.withUnescaped(typeToken) { handler.unknownMessage(type: $0) }
            return .unknown
        }
    }

    /// Top-level keys pass 1 remembers.
    private enum TopLevelKey {
        case type, symbol, changes, trades, auctionEvents, result, other

        @inline(__always) init(_ key: JSONStringToken, in c: JSONCursor) {
            // Switch on length first: one memcmp for the usual keys.
            switch key.hasEscapes ? -1 : key.count {
            case 4: self = c.string(key, equals: "type") ? .type : .other
            case 6:
                if c.string(key, equals: "symbol") { self = .symbol }
                else if c.string(key, equals: "trades") { self = .trades }
                else if c.string(key, equals: "result") { self = .result }
                else { self = .other }
            case 7: self = c.string(key, equals: "changes") ? .changes : .other
            case 14: self = c.string(key, equals: "auction_events") ? .auctionEvents : .other
            case -1:
                if c.string(key, equals: "type") { self = .type }
                else if c.string(key, equals: "symbol") { self = .symbol }
                else if c.string(key, equals: "changes") { self = .changes }
                else if c.string(key, equals: "trades") { self = .trades }
                else if c.string(key, equals: "auction_events") { self = .auctionEvents }
                else if c.string(key, equals: "result") { self = .result }
                else { self = .other }
            default: self = .other
            }
        }
    }
}
