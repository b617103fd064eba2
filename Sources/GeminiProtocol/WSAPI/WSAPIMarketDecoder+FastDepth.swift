import CastorCore

// The fast path for nearly all of the new API's traffic: a `depthUpdate` whose top-level
// keys are single letters among `e`, `E`, `s`, `U`, `u`, `b`, `a` (any order, any
// whitespace, each at most once), with an unescaped known lower-case symbol, integer ids
// and times, and plain quoted decimals. One pass validates and parses at once into the
// levels scratch; on anything else (another key, escapes, exponents, numbers as strings,
// more than 18 digits in a decimal or 19 in an integer, a new or upper-case symbol,
// malformed JSON) it returns nil having changed nothing visible, and the general path
// decodes the frame from the start (and names the error). What it accepts, the general
// path accepts with the same result.
extension WSAPIMarketDecoder {
    /// Most levels the fast path takes in one frame; larger ones (deep snapshots) use the
    /// general path.
    static let fastLevelCapacity = 1024

    /// The header of a plain `depthUpdate` and how many of its levels are now at the start
    /// of `fastLevels`; nil: use the general path.
    @inline(__always)
    mutating func fastDepth(_ frame: UnsafeRawBufferPointer) -> (WSAPIDepthUpdate, Int)? {
        guard let base = frame.baseAddress, frame.count >= 16 else { return nil }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var s = FastL2Scanner(p: p, n: frame.count)
        var symbolStart = 0, symbolLength = 0, count = 0
        var first: Int64 = 0, last: Int64 = 0, time: Int64 = 0
        let ok = fastLevels.withUnsafeMutableBufferPointer { out in
            s.scanDepth(into: out.baseAddress!, capacity: out.count, count: &count, symbolStart: &symbolStart,
                        symbolLength: &symbolLength, first: &first, last: &last, time: &time)
        }
        guard ok, first >= 0, last >= first,
              let id = symbols.lookup(p + symbolStart, count: symbolLength, readable: frame.count - symbolStart)
        else { return nil }
        return (WSAPIDepthUpdate(symbol: id, firstUpdateID: first, lastUpdateID: last, eventTimeNs: time), count)
    }
}

extension FastL2Scanner {
    /// A non-negative JSON integer at `i` (at most 19 digits, no overflow); nil otherwise.
    /// Digits are read eight at a time (`digits8`), the rest one by one with overflow checks.
    @inline(__always) mutating func integer() -> Int64? {
        if at(i) &- 0x30 >= 10 {
            skipSpace()
            guard at(i) &- 0x30 < 10 else { return nil }
        }
        let start = i
        var v: UInt64 = 0
        // Eight digits a load: two loads take 16 digits without overflow (< 2^63); a third
        // (ids and nanosecond times have 16 to 19) is checked.
        var chunks = 0
        while n >= 8, i < n {
            let (c, x) = MarketDataV2Decoder.digits8(load8(i))
            if c == 0 { break }
            if chunks < 2 {
                v = v &* MarketDataV2Decoder.pow10(c) &+ x
            } else {
                let (m, o1) = v.multipliedReportingOverflow(by: MarketDataV2Decoder.pow10(c))
                let (a, o2) = m.addingReportingOverflow(x)
                guard !o1, !o2, a <= UInt64(Int64.max) else { return nil }
                v = a
            }
            i &+= c
            chunks &+= 1
            if c < 8 || chunks == 3 { break }
        }
        guard v <= UInt64(Int64.max) else { return nil }
        var value = Int64(bitPattern: v)
        while i < n {
            let d = p[i] &- 0x30
            if d >= 10 { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            value = a
            i &+= 1
        }
        // A fraction or exponent makes it no integer; a leading zero is JSON only alone.
        guard i < n, p[i] != 0x2E, p[i] | 0x20 != 0x65, !(p[start] == 0x30 && i &- start > 1) else { return nil }
        return value
    }

    /// `[["price","qty"], …]` at `i` into `out` from `count` with `side` (at most
    /// `capacity` in all); false on anything else.
    @inline(__always) mutating func levelList(_ side: Side, into out: UnsafeMutablePointer<L2Change>, count: inout Int,
                                              capacity: Int) -> Bool {
        guard take(0x5B) else { return false }
        if take(0x5D) { return true }
        while true {
            guard count < capacity, take(0x5B), let price = decimal(), price.isPositive, take(0x2C),
                  let quantity = decimal(), take(0x5D) else { return false }
            (out + count).initialize(to: L2Change(side: side, price: price, quantity: quantity))
            count &+= 1
            if take(0x2C) { continue }
            return take(0x5D)
        }
    }

    mutating func scanDepth(into out: UnsafeMutablePointer<L2Change>, capacity: Int, count: inout Int,
                            symbolStart: inout Int, symbolLength: inout Int,
                            first: inout Int64, last: inout Int64, time: inout Int64) -> Bool {
        skipSpace()
        guard at(i) == 0x7B else { return false }
        i &+= 1
        var seen = 0 // bits: e E s U u b a
        while true {
            if at(i) != 0x22 { skipSpace() }
            guard i &+ 3 <= n, p[i] == 0x22, p[i &+ 2] == 0x22 else { return false }
            let key = p[i &+ 1]
            i &+= 3
            guard take(0x3A) else { return false }
            let bit: Int
            switch key {
            case 0x65: // e: "depthUpdate"
                bit = 1
                skipSpace()
                guard i &+ 13 <= n, p[i] == 0x22, load64(i &+ 1) == 0x6470_5568_7470_6564, // depthUpd
                      load32(i &+ 9) == 0x2265_7461 // ate"
                else { return false }
                i &+= 13
            case 0x45: // E
                bit = 2
                guard let v = integer() else { return false }
                time = v
            case 0x73: // s
                bit = 4
                skipSpace()
                guard at(i) == 0x22 else { return false }
                let k = MarketDataV2Decoder.stringEnd(p, n, from: i &+ 1)
                guard k >= 0 else { return false }
                symbolStart = i &+ 1
                symbolLength = k &- symbolStart
                i = k &+ 1
            case 0x55: // U
                bit = 8
                guard let v = integer() else { return false }
                first = v
            case 0x75: // u
                bit = 16
                guard let v = integer() else { return false }
                last = v
            case 0x62: // b
                bit = 32
                guard levelList(.buy, into: out, count: &count, capacity: capacity) else { return false }
            case 0x61: // a
                bit = 64
                guard levelList(.sell, into: out, count: &count, capacity: capacity) else { return false }
            default:
                return false
            }
            guard seen & bit == 0 else { return false }
            seen |= bit
            if take(0x2C) { continue }
            guard take(0x7D) else { return false }
            break
        }
        skipSpace()
        // `e`, `s`, `U` and `u` are required; `E`, `b` and `a` may be left out.
        return i == n && seen & (1 | 4 | 8 | 16) == (1 | 4 | 8 | 16)
    }
}
