import CastorCore

// Per-message parsers (pass 2). Each fills the decoder's scratch arrays or returns a value;
// emission to the handler happens only after the whole message parsed.
extension MarketDataV2Decoder {
    /// `changes` of `l2_updates`: `[[side, price, quantity], …]`, each exactly 3 elements.
    mutating func readChanges(_ c: inout JSONCursor, at: Int) throws(MarketDataV2DecodingError) {
        changes.removeAll(keepingCapacity: true)
        var more = try openArray(&c, at: at, .changes)
        while more {
            c.skipWhitespace()
            let entry = c.position
            guard c.current == 0x5B else { throw .invalidValue(.changes, offset: entry) }
            c.position += 1
            guard c.containerHasMembers(closing: 0x5D) else { throw .invalidValue(.changes, offset: entry) }
            let side = try readSide(&c)
            guard try c.containerContinues(closing: 0x5D) else { throw .invalidValue(.changes, offset: entry) }
            c.skipWhitespace()
            let priceAt = c.position
            let price = try readDecimal(&c, .price)
            guard price.isPositive else { throw .invalidValue(.price, offset: priceAt) }
            guard try c.containerContinues(closing: 0x5D) else { throw .invalidValue(.changes, offset: entry) }
            c.skipWhitespace()
            let quantityAt = c.position
            let quantity = try readDecimal(&c, .quantity)
            guard !quantity.isNegative else { throw .invalidValue(.quantity, offset: quantityAt) }
            guard try !c.containerContinues(closing: 0x5D) else { throw .invalidValue(.changes, offset: entry) }
            changes.append(L2Change(side: side, price: price, quantity: quantity))
            more = try c.containerContinues(closing: 0x5D)
        }
    }

    /// A snapshot's `trades` array.
    mutating func readTrades(_ c: inout JSONCursor, at: Int, symbol: SymbolID) throws(MarketDataV2DecodingError) {
        var more = try openArray(&c, at: at, .trades)
        while more {
            trades.append(try readTrade(&c, defaultSymbol: symbol, fromSnapshot: true))
            more = try c.containerContinues(closing: 0x5D)
        }
    }

    /// A trade object at the cursor (top-level `trade` or a snapshot entry, which may
    /// omit `symbol`: then `defaultSymbol` applies).
    mutating func readTrade(_ c: inout JSONCursor, defaultSymbol: SymbolID?, fromSnapshot: Bool) throws(MarketDataV2DecodingError) -> MarketDataV2Trade {
        c.skipWhitespace()
        let start = c.position
        var symbol = defaultSymbol
        var eventID: UInt64?, timestamp: Int64?, price: ExactDecimal?, quantity: ExactDecimal?
        var side: Side?, tid: UInt64?
        var more = try openObject(&c, .trades)
        while more {
            let key = try c.readKey()
            if c.string(key, equals: "price") { price = try readDecimal(&c, .price) }
            else if c.string(key, equals: "quantity") { quantity = try readDecimal(&c, .quantity) }
            else if c.string(key, equals: "side") { side = try readSide(&c) }
            else if c.string(key, equals: "symbol") { symbol = try readSymbol(&c) }
            else if c.string(key, equals: "event_id") { eventID = try readUnsigned(&c, .eventID) }
            else if c.string(key, equals: "timestamp") { timestamp = try readInteger(&c, .timestamp) }
            else if c.string(key, equals: "tid") { tid = try readUnsigned(&c, .tid) }
            else { try c.skipValue() }
            more = try c.containerContinues(closing: 0x7D)
        }
        guard let symbol else { throw .missingField(.symbol, offset: start) }
        guard let eventID else { throw .missingField(.eventID, offset: start) }
        guard let timestamp else { throw .missingField(.timestamp, offset: start) }
        guard let price else { throw .missingField(.price, offset: start) }
        guard let quantity else { throw .missingField(.quantity, offset: start) }
        guard let side else { throw .missingField(.side, offset: start) }
        return MarketDataV2Trade(symbol: symbol, eventID: eventID, timestampMs: timestamp, price: price,
                                 quantity: quantity, takerSide: side, tid: tid, fromSnapshot: fromSnapshot)
    }

    /// A snapshot's `auction_events` array.
    mutating func readAuctions(_ c: inout JSONCursor, at: Int, symbol: SymbolID) throws(MarketDataV2DecodingError) {
        var more = try openArray(&c, at: at, .auctionEvents)
        while more {
            auctions.append(try readAuction(&c, defaultSymbol: symbol, fromSnapshot: true))
            more = try c.containerContinues(closing: 0x5D)
        }
    }

    /// An auction object at the cursor; its own `type` says which kind.
    mutating func readAuction(_ c: inout JSONCursor, defaultSymbol: SymbolID?, fromSnapshot: Bool) throws(MarketDataV2DecodingError) -> AuctionEvent {
        c.skipWhitespace()
        let start = c.position
        var kind: AuctionEvent.Kind?
        var symbol = defaultSymbol
        var e = AuctionEvent(kind: .open, symbol: SymbolID(rawValue: 0), fromSnapshot: fromSnapshot)
        var more = try openObject(&c, .auctionEvents)
        while more {
            let key = try c.readKey()
            c.skipWhitespace()
            let at = c.position
            if c.string(key, equals: "type") {
                let t = try readString(&c, .type)
                guard let k = c.withUnescaped(t, { MessageType.auctionKind($0) }) ?? nil else { throw .invalidValue(.type, offset: at) }
                kind = k
            } else if c.string(key, equals: "symbol") { symbol = try readSymbol(&c) }
            else if c.string(key, equals: "time_ms") { e.timeMs = try readInteger(&c, .auctionField) }
            else if c.string(key, equals: "auction_time_ms") { e.auctionTimeMs = try readInteger(&c, .auctionField) }
            else if c.string(key, equals: "first_indicative_ms") { e.firstIndicativeMs = try readInteger(&c, .auctionField) }
            else if c.string(key, equals: "last_cancel_time_ms") { e.lastCancelTimeMs = try readInteger(&c, .auctionField) }
            else if c.string(key, equals: "result") {
                let r = try readString(&c, .result)
                e.succeeded = c.string(r, equals: "success")
            }
            else if c.string(key, equals: "highest_bid_price") { e.highestBidPrice = try readDecimal(&c, .auctionField) }
            else if c.string(key, equals: "lowest_ask_price") { e.lowestAskPrice = try readDecimal(&c, .auctionField) }
            else if c.string(key, equals: "collar_price") { e.collarPrice = try readDecimal(&c, .auctionField) }
            else if c.string(key, equals: "auction_price") { e.auctionPrice = try readDecimal(&c, .auctionField) }
            else if c.string(key, equals: "auction_quantity") { e.auctionQuantity = try readDecimal(&c, .auctionField) }
            else { try c.skipValue() }
            more = try c.containerContinues(closing: 0x7D)
        }
        guard let kind else { throw .missingField(.type, offset: start) }
        guard let symbol else { throw .missingField(.symbol, offset: start) }
        e.kind = kind
        e.symbol = symbol
        return e
    }

    /// A heartbeat object at the cursor; its `timestamp` is optional.
    func readHeartbeat(_ c: inout JSONCursor) throws(MarketDataV2DecodingError) -> Int64? {
        var timestamp: Int64?
        var more = try openObject(&c, .type)
        while more {
            let key = try c.readKey()
            if c.string(key, equals: "timestamp") { timestamp = try readInteger(&c, .timestamp) }
            else { try c.skipValue() }
            more = try c.containerContinues(closing: 0x7D)
        }
        return timestamp
    }

    /// `changes` of candles: `[[time_ms, open, high, low, close, volume], …]`.
    mutating func readCandles(_ c: inout JSONCursor, at: Int, symbol: SymbolID, timeframe: CandleTimeframe) throws(MarketDataV2DecodingError) {
        candles.removeAll(keepingCapacity: true)
        var more = try openArray(&c, at: at, .changes)
        while more {
            c.skipWhitespace()
            let entry = c.position
            guard c.current == 0x5B else { throw .invalidValue(.candle, offset: entry) }
            c.position += 1
            guard c.containerHasMembers(closing: 0x5D) else { throw .invalidValue(.candle, offset: entry) }
            let time = try readInteger(&c, .candle)
            var v: (ExactDecimal, ExactDecimal, ExactDecimal, ExactDecimal, ExactDecimal) = (0, 0, 0, 0, 0)
            for k in 0..<5 {
                guard try c.containerContinues(closing: 0x5D) else { throw .invalidValue(.candle, offset: entry) }
                let d = try readDecimal(&c, .candle)
                switch k {
                case 0: v.0 = d
                case 1: v.1 = d
                case 2: v.2 = d
                case 3: v.3 = d
                default: v.4 = d
                }
            }
            guard try !c.containerContinues(closing: 0x5D) else { throw .invalidValue(.candle, offset: entry) }
            candles.append(CandleUpdate(symbol: symbol, timeframe: timeframe, timeMs: time, open: v.0, high: v.1,
                                  low: v.2, close: v.3, volume: v.4))
            more = try c.containerContinues(closing: 0x5D)
        }
    }

    /// `changes` of `mark_price_updates`.
    mutating func readMarkPrices(_ c: inout JSONCursor, at: Int, symbol: SymbolID) throws(MarketDataV2DecodingError) {
        marks.removeAll(keepingCapacity: true)
        var more = try openArray(&c, at: at, .changes)
        while more {
            c.skipWhitespace()
            let start = c.position
            var timestamp: Int64?, mark: ExactDecimal?, spot: ExactDecimal?
            var inner = try openObject(&c, .changes)
            while inner {
                let key = try c.readKey()
                if c.string(key, equals: "timestamp") { timestamp = try readInteger(&c, .timestamp) }
                else if c.string(key, equals: "mark_price") { mark = try readDecimal(&c, .markPrice) }
                else if c.string(key, equals: "spot_index") { spot = try readDecimal(&c, .spotIndex) }
                else { try c.skipValue() }
                inner = try c.containerContinues(closing: 0x7D)
            }
            guard let timestamp else { throw .missingField(.timestamp, offset: start) }
            guard let mark else { throw .missingField(.markPrice, offset: start) }
            marks.append(MarkPriceUpdate(symbol: symbol, timestampNs: timestamp, markPrice: mark, spotIndex: spot))
            more = try c.containerContinues(closing: 0x5D)
        }
    }

    /// `changes` of `funding_amount_updates`.
    mutating func readFundingAmounts(_ c: inout JSONCursor, at: Int, symbol: SymbolID) throws(MarketDataV2DecodingError) {
        fundings.removeAll(keepingCapacity: true)
        var more = try openArray(&c, at: at, .changes)
        while more {
            c.skipWhitespace()
            let start = c.position
            var timestamp: Int64?, amount: ExactDecimal?, date: Int64?, interval: Int64?, realized: Bool?
            var inner = try openObject(&c, .changes)
            while inner {
                let key = try c.readKey()
                if c.string(key, equals: "timestamp") { timestamp = try readInteger(&c, .timestamp) }
                else if c.string(key, equals: "funding_amount") { amount = try readDecimal(&c, .fundingAmount) }
                else if c.string(key, equals: "funding_date_time") { date = try readInteger(&c, .fundingDateTime) }
                else if c.string(key, equals: "funding_interval_in_minutes") { interval = try readInteger(&c, .fundingIntervalInMinutes) }
                else if c.string(key, equals: "is_realized") { realized = try readBool(&c, .isRealized) }
                else { try c.skipValue() }
                inner = try c.containerContinues(closing: 0x7D)
            }
            guard let timestamp else { throw .missingField(.timestamp, offset: start) }
            guard let amount else { throw .missingField(.fundingAmount, offset: start) }
            fundings.append(FundingAmountUpdate(symbol: symbol, timestampNs: timestamp, fundingAmount: amount,
                                                fundingDateTimeNs: date, fundingIntervalMinutes: interval, isRealized: realized))
            more = try c.containerContinues(closing: 0x5D)
        }
    }

    /// A `{"result": …, "reason": …, "message": …}` reply at the cursor.
    func readReply(_ c: inout JSONCursor) throws(MarketDataV2DecodingError) -> SubscriptionReply {
        var reply = SubscriptionReply(result: "", reason: nil, message: nil)
        var more = try openObject(&c, .result)
        while more {
            let key = try c.readKey()
            c.skipWhitespace()
            let isString = c.current == 0x22
            if isString, c.string(key, equals: "result") { reply.result = try readText(&c, .result) }
            else if isString, c.string(key, equals: "reason") { reply.reason = try readText(&c, .reason) }
            else if isString, c.string(key, equals: "message") { reply.message = try readText(&c, .reason) }
            else if c.string(key, equals: "result") { throw .invalidValue(.result, offset: c.position) }
            else { try c.skipValue() }
            more = try c.containerContinues(closing: 0x7D)
        }
        return reply
    }
}
