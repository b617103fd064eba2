import CastorCore

// The fast path for the second most common message, a top-level `trade`:
// `{"type":"trade","symbol":"BTCUSD","event_id":…,"timestamp":…,"price":"…","quantity":"…","side":"buy"}`
// with those keys (and an optional `tid`) in any order, any whitespace, each once. (It is
// tried when the L2 scanner meets `"type":"trade"` before any key it does not know, as
// Gemini sends it: `type` first.)
//
// Like the `l2_updates` scanner it validates and parses in one pass, never throws and never
// calls the handler: on anything else — another key, a duplicate, escapes, ids or
// timestamps as strings, signs, leading zeros, fractions or exponents in them, more than
// 18 digits, decimals the L2 scanner would refuse, a new symbol, malformed JSON — it
// returns nil having changed nothing, and the general decoder takes the message from the
// start. Everything it accepts, the general path accepts with the same result.
extension MarketDataV2Decoder {
    /// The trade in `message` if it is a plain `trade`; nil to fall back to the general path.
    @inline(__always)
    func fastTrade(_ p: UnsafePointer<UInt8>, _ n: Int) -> MarketDataV2Trade? {
        var s = FastL2Scanner(p: p, n: n)
        var symbolStart = 0, symbolLength = 0
        guard var trade = s.scanTrade(symbolStart: &symbolStart, symbolLength: &symbolLength),
              let id = symbols.lookup(p + symbolStart, count: symbolLength, readable: n - symbolStart)
        else { return nil }
        trade.symbol = id
        return trade
    }
}

extension FastL2Scanner {
    /// A JSON integer of 1…18 digits without sign, fraction, exponent or leading zero
    /// (what `readInteger` reads and a JSON number allows), at `i`; nil otherwise. Eight
    /// digits at a time (SWAR).
    @inline(__always) mutating func unsignedInteger() -> UInt64? {
        if at(i) &- 0x30 >= 10 {
            skipSpace()
            guard at(i) &- 0x30 < 10 else { return nil }
        }
        guard n >= 8 else { return nil }
        let start = i
        var v: UInt64 = 0
        var digits = 0
        while true {
            let (count, value) = MarketDataV2Decoder.digits8(load8(i))
            digits &+= count
            guard digits <= 18 else { return nil }
            v = v &* MarketDataV2Decoder.pow10(count) &+ value
            i &+= count
            if count < 8 || i >= n { break }
        }
        guard digits == 1 || p[start] != 0x30 else { return nil }
        // A '.', 'e' or 'E' next would make it a JSON number that is not an integer.
        guard i < n, p[i] != 0x2E, p[i] | 0x20 != 0x65 else { return nil }
        return v
    }

    /// `"buy"` or `"sell"` at `i`.
    @inline(__always) mutating func side() -> Side? {
        if at(i) != 0x22 {
            skipSpace()
            guard at(i) == 0x22 else { return nil }
        }
        guard i &+ 6 <= n else { return nil }
        let s = load32(i &+ 1)
        if s == 0x2279_7562 { i &+= 5; return .buy } // buy"
        if s == 0x6C6C_6573, p[i &+ 5] == 0x22 { i &+= 6; return .sell } // sell"
        return nil
    }

    /// Scans a whole `trade` object; the symbol is returned by position (its id is set by
    /// the caller).
    mutating func scanTrade(symbolStart: inout Int, symbolLength: inout Int) -> MarketDataV2Trade? {
        skipSpace()
        guard at(i) == 0x7B else { return nil }
        i &+= 1
        // Bits: 0 type, 1 symbol, 2 event_id, 3 timestamp, 4 price, 5 quantity, 6 side, 7 tid.
        var seen = 0
        var eventID: UInt64 = 0, timestamp: UInt64 = 0, tid: UInt64?
        var price = ExactDecimal.zero, quantity = ExactDecimal.zero
        var takerSide = Side.buy
        while true {
            if at(i) != 0x22 { skipSpace() }
            guard i &+ 8 <= n, p[i] == 0x22 else { return nil }
            let w = load64(i)
            let bit: Int
            if w & 0xFFFF_FFFF_FFFF == 0x2265_7079_7422 { // "type"
                i &+= 6
                guard take(0x3A) else { return nil }
                skipSpace()
                guard i &+ 7 <= n, load64(i &- 1) >> 8 == 0x22_6564_6172_7422 else { return nil } // "trade"
                i &+= 7
                bit = 0
            } else if w == 0x226C_6F62_6D79_7322 { // "symbol"
                i &+= 8
                guard take(0x3A) else { return nil }
                skipSpace()
                guard at(i) == 0x22 else { return nil }
                let k = MarketDataV2Decoder.stringEnd(p, n, from: i &+ 1)
                guard k >= 0 else { return nil }
                symbolStart = i &+ 1
                symbolLength = k &- symbolStart
                i = k &+ 1
                bit = 1
            } else if w == 0x695F_746E_6576_6522, i &+ 10 <= n, p[i &+ 8] == 0x64, p[i &+ 9] == 0x22 { // "event_id"
                i &+= 10
                guard take(0x3A), let v = unsignedInteger() else { return nil }
                eventID = v
                bit = 2
            } else if w == 0x6174_7365_6D69_7422, i &+ 11 <= n, p[i &+ 8] == 0x6D, p[i &+ 9] == 0x70, p[i &+ 10] == 0x22 { // "timestamp"
                i &+= 11
                guard take(0x3A), let v = unsignedInteger() else { return nil }
                timestamp = v
                bit = 3
            } else if w & 0xFF_FFFF_FFFF_FFFF == 0x22_6563_6972_7022 { // "price"
                i &+= 7
                guard take(0x3A), let v = decimal() else { return nil }
                price = v
                bit = 4
            } else if w == 0x7469_746E_6175_7122, i &+ 10 <= n, p[i &+ 8] == 0x79, p[i &+ 9] == 0x22 { // "quantity"
                i &+= 10
                guard take(0x3A), let v = decimal() else { return nil }
                quantity = v
                bit = 5
            } else if w & 0xFFFF_FFFF_FFFF == 0x2265_6469_7322 { // "side"
                i &+= 6
                guard take(0x3A), let v = side() else { return nil }
                takerSide = v
                bit = 6
            } else if w & 0xFF_FFFF_FFFF == 0x22_6469_7422 { // "tid"
                i &+= 5
                guard take(0x3A), let v = unsignedInteger() else { return nil }
                tid = v
                bit = 7
            } else {
                return nil
            }
            guard seen & (1 << bit) == 0 else { return nil }
            seen |= 1 << bit
            if take(0x2C) { continue }
            guard take(0x7D) else { return nil }
            break
        }
        skipSpace()
        guard i == n, seen & 0x7F == 0x7F else { return nil }
        return MarketDataV2Trade(symbol: SymbolID(rawValue: 0), eventID: eventID, timestampMs: Int64(timestamp),
                                 price: price, quantity: quantity, takerSide: takerSide, tid: tid, fromSnapshot: false)
    }
}
