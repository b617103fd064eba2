import CastorCore

// The fast path's first try: Gemini sends its frames compact and with their keys always in
// one order, `{"e":"depthUpdate","E":…,"s":"…","U":…,"u":…,"b":[…],"a":[…]}` and
// `{"E":…,"s":"…","t":…,"p":"…","q":"…","m":…}`. Matching the punctuation and keys
// between the values as whole words (one load and compare each) replaces the key-by-key
// dispatch of `scanFrame`, which is left for frames in any other order or spacing. The
// values are read by the same readers, so a frame both accept gives the same fields.
extension FastL2Scanner {
    /// Whether the next `length` (≤ 8) bytes are `word` (little-endian); consumes them.
    /// False too when fewer than 8 bytes remain (the caller then takes the general scan).
    @inline(__always) mutating func literal(_ word: UInt64, _ length: Int) -> Bool {
        guard i &+ 8 <= n else { return false }
        let mask: UInt64 = length == 8 ? ~0 : (1 &<< UInt64(length &* 8)) &- 1
        guard load64(i) & mask == word else { return false }
        i &+= length
        return true
    }

    /// The symbol's string at `i` (quote included) into `f`.
    @inline(__always) mutating func symbol(_ f: inout WSAPIFastFields) -> Bool {
        guard at(i) == 0x22 else { return false }
        let k = MarketDataV2Decoder.stringEnd(p, n, from: i &+ 1)
        guard k >= 0 else { return false }
        f.symbolStart = i &+ 1
        f.symbolLength = k &- f.symbolStart
        i = k &+ 1
        return true
    }

    /// Scans a frame in Gemini's own layout into `f` (the same fields `scanFrame` would
    /// give); false for anything else, with `f` and the scratch to be discarded.
    mutating func scanCanonical(into out: UnsafeMutablePointer<L2Change>, capacity: Int, _ f: inout WSAPIFastFields) -> Bool {
        guard n >= 24 else { return false }
        if load64(0) == 0x6564_223A_2265_227B, load64(8) == 0x7461_6470_5568_7470, // {"e":"de pthUpdat
           load64(15) == 0x3A22_4522_2C22_6574 { // te","E":
            i = 23
            guard let time = longInteger() ?? integer() else { return false }
            f.time = time
            guard literal(0x3A_2273_222C, 5), symbol(&f), literal(0x3A_2255_222C, 5), let first = longInteger() ?? integer(), // ,"s": ,"U":
                  literal(0x3A_2275_222C, 5), let last = longInteger() ?? integer(), literal(0x3A_2262_222C, 5), // ,"u": ,"b":
                  levelList(.buy, into: out, count: &f.count, capacity: capacity), literal(0x3A_2261_222C, 5), // ,"a":
                  levelList(.sell, into: out, count: &f.count, capacity: capacity), take(0x7D)
            else { return false }
            f.first = first
            f.last = last
            f.seen = WSAPIFastFields.depthKeys
        } else if load64(0) & 0xFF_FFFF_FFFF == 0x3A_2245_227B { // {"E":
            i = 5
            guard let time = longInteger() ?? integer() else { return false }
            f.time = time
            guard literal(0x3A_2273_222C, 5), symbol(&f), literal(0x3A_2274_222C, 5), let id = integer(), // ,"s": ,"t":
                  literal(0x3A_2270_222C, 5), let price = nearDecimal() ?? farDecimal(), literal(0x3A_2271_222C, 5), // ,"p": ,"q":
                  let quantity = nearDecimal() ?? farDecimal(), literal(0x3A_226D_222C, 5), let maker = boolean(), take(0x7D) // ,"m":
            else { return false }
            f.tradeID = id
            f.price = price
            f.quantity = quantity
            f.buyerIsMaker = maker
            f.seen = WSAPIFastFields.tradeKeys & ~WSAPIFastFields.e
        } else {
            return false
        }
        skipSpace()
        return i == n
    }
}
