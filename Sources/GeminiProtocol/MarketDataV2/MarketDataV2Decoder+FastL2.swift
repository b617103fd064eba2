import CastorCore

// The fast path for the message that is nearly all of the traffic: an `l2_updates` whose
// top-level object has exactly the keys `type`, `symbol` and `changes` (any order, any
// whitespace), with unescaped strings and plain quoted decimals.
//
// It is one pass over the bytes that validates and parses at once into a preallocated
// scratch buffer of changes. It never throws and never calls the handler: on anything it
// does not recognise — other keys (snapshot `trades`), other types, escapes, signs,
// exponents, numbers as JSON numbers, more than 18 digits, a new symbol, malformed JSON —
// it returns nil, having changed nothing visible, and the general decoder handles the
// message from the start (and reports the precise error). So everything it accepts, the
// general path accepts with the same result; it only decides sooner.
extension MarketDataV2Decoder {
    /// Most changes the fast path takes in one message; larger ones use the general path.
    static let fastChangeCapacity = 1024
    /// `scanL2`'s answer for a message whose `type` is `"trade"` (try `fastTrade`).
    static let tradeCandidate = -2

    /// What the fast paths made of a message.
    enum FastResult {
        /// A plain `l2_updates`: its symbol and the number of changes now at the start of
        /// `fastChanges`.
        case l2Updates(SymbolID, Int)
        /// A plain `trade`.
        case trade(MarketDataV2Trade)
        /// Anything else: the general path decides.
        case general
    }

    /// Parses `message` if it is a plain `l2_updates` or `trade`; `.general` to fall back to
    /// the general path.
    @inline(__always)
    mutating func fastPath(_ message: UnsafeRawBufferPointer) -> FastResult {
        guard let base = message.baseAddress else { return .general }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var symbolStart = 0, symbolLength = 0
        let count = fastChanges.withUnsafeMutableBufferPointer { out -> Int in
            MarketDataV2Decoder.scanL2(p, message.count, into: out.baseAddress!, capacity: out.count,
                                       symbolStart: &symbolStart, symbolLength: &symbolLength)
        }
        if count >= 0 {
            guard let id = symbols.lookup(p + symbolStart, count: symbolLength, readable: message.count - symbolStart)
            else { return .general }
            return .l2Updates(id, count)
        }
        if count == MarketDataV2Decoder.tradeCandidate, let trade = fastTrade(p, message.count) { return .trade(trade) }
        return .general
    }

    /// The scanner proper: returns the number of changes written to `out`, -1 (not a plain
    /// `l2_updates`), or `tradeCandidate` (its `type` is `"trade"`).
    @inline(__always)
    static func scanL2(
        _ p: UnsafePointer<UInt8>, _ n: Int, into out: UnsafeMutablePointer<L2Change>, capacity: Int,
        symbolStart: inout Int, symbolLength: inout Int
    ) -> Int {
        var s = FastL2Scanner(p: p, n: n)
        return s.scan(into: out, capacity: capacity, symbolStart: &symbolStart, symbolLength: &symbolLength)
    }

    /// The index of the closing quote of a string whose content starts at `from`, or -1
    /// if the content has an escape or a control character, or does not end.
    @inline(__always)
    static func stringEnd(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int) -> Int {
        var i = from
        let lo: UInt64 = 0x0101_0101_0101_0101, hi: UInt64 = 0x8080_8080_8080_8080
        while i + 8 <= n {
            let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            let q = w ^ (0x22 &* lo), s = w ^ (0x5C &* lo)
            let flags = ((q &- lo) & ~q | (s &- lo) & ~s | (w &- 0x20 &* lo) & ~w) & hi
            if flags != 0 {
                i += flags.trailingZeroBitCount >> 3
                return p[i] == 0x22 ? i : -1
            }
            i += 8
        }
        while i < n {
            let b = p[i]
            if b == 0x22 { return i }
            if b == 0x5C || b < 0x20 { return -1 }
            i += 1
        }
        return -1
    }

    /// The leading ASCII digits of the 8 bytes in `w` (first byte lowest): how many (0…8)
    /// and their value (SWAR, no loop).
    @inline(__always)
    static func digits8(_ w: UInt64) -> (count: Int, value: UInt64) {
        let x = w &- 0x3030_3030_3030_3030
        // A byte is a digit when its value minus '0' is below 10: flag the others. Borrows
        // only disturb bytes after the first non-digit, which are not used.
        let flags = (x | (x &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
        let count = flags.trailingZeroBitCount >> 3
        guard count > 0 else { return (0, 0) }
        // Keep the digits, moved to the high bytes (leading zero digits below them).
        var v = x &<< UInt64(64 - 8 * count)
        v = ((v & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        v = ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
        return (count, v)
    }

    @inline(__always)
    static func pow10(_ k: Int) -> UInt64 {
        switch k {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1000
        case 4: 10000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        default: 100_000_000
        }
    }
}

/// Cursor state of the fast `l2_updates` scan (a struct, so the hot loop keeps it in registers).
struct FastL2Scanner {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0

    @inline(__always) func at(_ k: Int) -> UInt8 { k < n ? p[k] : 0 }
    @inline(__always) mutating func skipSpace() {
        while i < n, p[i] <= 0x20, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i &+= 1 }
    }
    /// Consumes `byte`, allowing whitespace before it; false if something else is there.
    @inline(__always) mutating func take(_ byte: UInt8) -> Bool {
        if i < n, p[i] == byte { i &+= 1; return true }
        skipSpace()
        if i < n, p[i] == byte { i &+= 1; return true }
        return false
    }
    @inline(__always) func load32(_ k: Int) -> UInt32 { UnsafeRawPointer(p + k).loadUnaligned(as: UInt32.self) }
    @inline(__always) func load64(_ k: Int) -> UInt64 { UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self) }
    /// The 8 bytes at `k` (`k < n`, `n >= 8`); near the end of the message, the bytes up to
    /// the end with zeros shifted in after them (a zero is not a digit).
    @inline(__always) func load8(_ k: Int) -> UInt64 {
        k &+ 8 <= n ? load64(k) : load64(n &- 8) &>> UInt64(8 &* (k &+ 8 &- n))
    }
    /// `decimal()`'s common case, small enough to be inlined where it is called: a quoted
    /// decimal right at `i` with 1 to 7 integer and 1 to 8 fraction digits, or 1 to 7
    /// digits alone, by two SWAR loads and no per-digit loop. Nil when the value is not
    /// one (`decimal()` then decides); changes nothing then.
    @inline(__always) mutating func commonDecimal() -> ExactDecimal? {
        let j = i &+ 1
        guard n >= 8, j < n, p[i] == 0x22 else { return nil }
        let (whole, w) = MarketDataV2Decoder.digits8(load8(j))
        // `d == n` when the message ends right after the digits (load8 pads with zeros):
        // then there is no byte at `d` to look at.
        guard whole > 0, whole < 8, j &+ whole < n else { return nil }
        let d = j &+ whole
        let b = p[d]
        if b == 0x22 {
            i = d &+ 1
            return ExactDecimal(mantissa: Int128(Int64(bitPattern: w)), scale: 0)
        }
        guard b == 0x2E, d &+ 1 < n else { return nil }
        let (fraction, f) = MarketDataV2Decoder.digits8(load8(d &+ 1))
        let q = d &+ 1 &+ fraction
        guard fraction > 0, q < n, p[q] == 0x22 else { return nil }
        i = q &+ 1
        let m = w &* MarketDataV2Decoder.pow10(fraction) &+ f
        return ExactDecimal(mantissa: Int128(Int64(bitPattern: m)), scale: UInt8(truncatingIfNeeded: fraction))
    }

    /// A quoted plain decimal at `i` (the same acceptance as `fastQuotedDecimal`).
    @inline(__always) mutating func decimal() -> ExactDecimal? {
        if at(i) != 0x22 {
            skipSpace()
            guard at(i) == 0x22 else { return nil }
        }
        if let common = commonDecimal() { return common }
        let j = i &+ 1
        var k = j
        var m: UInt64 = 0
        while k < n {
            let d = p[k] &- 0x30
            if d >= 10 { break }
            m = m &* 10 &+ UInt64(d)
            k &+= 1
        }
        let whole = k &- j
        guard whole > 0, k < n else { return nil }
        var fraction = 0
        if p[k] == 0x2E {
            k &+= 1
            let f = k
            while k < n {
                let d = p[k] &- 0x30
                if d >= 10 { break }
                m = m &* 10 &+ UInt64(d)
                k &+= 1
            }
            fraction = k &- f
            guard fraction > 0, k < n else { return nil }
        }
        guard p[k] == 0x22, whole &+ fraction <= 18 else { return nil }
        i = k &+ 1
        return ExactDecimal(mantissa: Int128(Int64(bitPattern: m)), scale: UInt8(truncatingIfNeeded: fraction))
    }

    mutating func scan(
        into out: UnsafeMutablePointer<L2Change>, capacity: Int, symbolStart: inout Int, symbolLength: inout Int
    ) -> Int {
        skipSpace()
        guard at(i) == 0x7B else { return -1 }
        i &+= 1
        var seen = 0 // bit 0 type, 1 symbol, 2 changes
        var count = 0
        while true {
            if at(i) != 0x22 { skipSpace() }
            // Keys are matched whole, quotes included, by one or two loads: any other key
            // (or an escaped one) leaves the message to the general path.
            guard i &+ 9 <= n else { return -1 }
            let w = load64(i)
            if w & 0xFFFF_FFFF_FFFF == 0x2265_7079_7422 { // "type"
                i &+= 6
                guard seen & 1 == 0, take(0x3A) else { return -1 }
                skipSpace()
                guard i &+ 12 <= n, p[i] == 0x22,
                      load64(i &+ 1) == 0x7461_6470_755F_326C, // l2_updat
                      p[i &+ 9] == 0x65, p[i &+ 10] == 0x73, p[i &+ 11] == 0x22 // es"
                else {
                    // `"trade"`: a candidate for the trade scanner (`fastTrade`).
                    if i >= 1, i &+ 7 <= n, load64(i &- 1) >> 8 == 0x22_6564_6172_7422 { return MarketDataV2Decoder.tradeCandidate }
                    return -1
                }
                i &+= 12
                seen |= 1
            } else if w == 0x226C_6F62_6D79_7322 { // "symbol"
                i &+= 8
                guard seen & 2 == 0, take(0x3A) else { return -1 }
                skipSpace()
                guard at(i) == 0x22 else { return -1 }
                let k = MarketDataV2Decoder.stringEnd(p, n, from: i &+ 1)
                guard k >= 0 else { return -1 }
                symbolStart = i &+ 1
                symbolLength = k &- symbolStart
                i = k &+ 1
                seen |= 2
            } else if w == 0x7365_676E_6168_6322, p[i &+ 8] == 0x22 { // "changes"
                i &+= 9
                guard seen & 4 == 0, take(0x3A), take(0x5B) else { return -1 }
                seen |= 4
                if !take(0x5D) {
                    while true {
                        guard take(0x5B), count < capacity, take(0x22), i &+ 5 <= n else { return -1 }
                        i &-= 1
                        let side: Side
                        let s = load32(i &+ 1)
                        if s == 0x2279_7562 { // buy"
                            side = .buy
                            i &+= 5
                        } else if s == 0x6C6C_6573, p[i &+ 5] == 0x22 { // sell"
                            side = .sell
                            i &+= 6
                        } else {
                            return -1
                        }
                        guard take(0x2C) else { return -1 }
                        guard let price = decimal(), price.isPositive, take(0x2C) else { return -1 }
                        guard let quantity = decimal(), take(0x5D) else { return -1 }
                        (out + count).initialize(to: L2Change(side: side, price: price, quantity: quantity))
                        count &+= 1
                        if take(0x2C) { continue }
                        guard take(0x5D) else { return -1 }
                        break
                    }
                }
            } else {
                return -1
            }
            if take(0x2C) { continue }
            guard take(0x7D) else { return -1 }
            break
        }
        skipSpace()
        guard i == n, seen == 7 else { return -1 }
        return count
    }
}
