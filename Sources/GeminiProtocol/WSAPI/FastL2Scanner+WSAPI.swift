import CastorCore

// The single pass of the new API's fast path (`WSAPIMarketDecoder+FastPath`): one scan of a
// flat object whose keys are single letters, parsing the values of a `depthUpdate` or a
// trade as it validates them. It never throws; on anything it does not take it answers
// false and the general path decodes the frame from the start.

extension FastL2Scanner {
    /// A non-negative JSON integer of at most 19 digits at `i` that fits in Int64; nil
    /// otherwise (a sign, fraction, exponent, leading zero, or the frame ends in it).
    ///
    /// At most three SWAR loads, no loop and one overflow check (16 digits never overflow;
    /// three more may).
    mutating func integer() -> Int64? {
        if at(i) &- 0x30 >= 10 {
            skipSpace()
            guard at(i) &- 0x30 < 10 else { return nil }
        }
        guard n >= 8 else { return nil }
        let start = i
        if let v = longInteger() { return v }
        var (c, v) = MarketDataV2Decoder.digits8(load8(i))
        var end = i &+ c
        if c == 8 {
            guard end < n else { return nil }
            let (c2, v2) = MarketDataV2Decoder.digits8(load8(end))
            v = v &* MarketDataV2Decoder.pow10(c2) &+ v2
            end &+= c2
            if c2 == 8 {
                guard end < n else { return nil }
                let (c3, v3) = MarketDataV2Decoder.digits8(load8(end))
                // v < 10^16, so v · 10^3 + 999 < 2^64: only the Int64 bound needs checking.
                guard c3 <= 3 else { return nil }
                v = v &* MarketDataV2Decoder.pow10(c3) &+ v3
                guard v <= UInt64(Int64.max) else { return nil }
                end &+= c3
            }
        }
        c = end
        // The digits must be followed by something (`,` or `}` in a valid frame); a '.',
        // 'e' or 'E' would make it no integer; a leading zero is JSON only alone.
        guard c < n, p[c] != 0x2E, p[c] | 0x20 != 0x65, !(p[start] == 0x30 && c &- start > 1) else { return nil }
        i = c
        return Int64(bitPattern: v)
    }

    /// `integer()`'s common case, small enough to be inlined where it is called: ids and
    /// nanosecond times, 16 to 19 digits with bytes to spare after them (a frame never ends
    /// in a number), two words checked and converted whole and the rest from a third, with
    /// no length-dependent shifts. Nil when the value at `i` is not one (`integer()` then
    /// decides); changes nothing then.
    @inline(__always) mutating func longInteger() -> Int64? {
        guard i &+ 24 <= n else { return nil }
        let a = load64(i) &- 0x3030_3030_3030_3030, b = load64(i &+ 8) &- 0x3030_3030_3030_3030
        guard (a | (a &+ 0x7676_7676_7676_7676) | b | (b &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 == 0
        else { return nil }
        var v = Self.eightDigits(a) &* 100_000_000 &+ Self.eightDigits(b)
        let after = p[i &+ 16]
        if after &- 0x30 >= 10 {
            // Exactly 16 digits (update ids): below 10^16, so in range; no tail to read.
            guard p[i] != 0x30, after != 0x2E, after | 0x20 != 0x65 else { return nil }
            i &+= 16
            return Int64(bitPattern: v)
        }
        let (k, tail) = MarketDataV2Decoder.digits8(load64(i &+ 16))
        guard k <= 3, p[i] != 0x30 else { return nil }
        // v < 10^16, so v · 10^3 + 999 < 2^64: only the Int64 bound needs checking.
        v = v &* MarketDataV2Decoder.pow10(k) &+ tail
        let end = i &+ 16 &+ k
        guard v <= UInt64(Int64.max), p[end] != 0x2E, p[end] | 0x20 != 0x65 else { return nil }
        i = end
        return Int64(bitPattern: v)
    }

    /// The value of eight ASCII digits, each already less '0' (`x`, first digit lowest):
    /// pairs, then quads, then the whole, by multiplications (no shift by the length).
    @inline(__always) static func eightDigits(_ x: UInt64) -> UInt64 {
        let pairs = x &* 10 &+ (x >> 8)
        let low = (pairs & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 << 32))
        let high = ((pairs >> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 << 32))
        return (low &+ high) >> 32
    }

    /// `commonDecimal()` at least 9 bytes from the end (`i + 9 <= n`; nearly always): the
    /// quote, the integer digits and what ends them lie in those 9 bytes, so they need no
    /// checks of their own; the fraction too is one plain load unless it reaches into the
    /// frame's last 9 bytes (then `load8` and the checks `commonDecimal` makes). Accepts
    /// what `commonDecimal` accepts, with the same value and end; nil otherwise.
    @inline(__always) mutating func commonDecimalInside() -> ExactDecimal? {
        guard p[i] == 0x22 else { return nil }
        let j = i &+ 1
        let (whole, w) = MarketDataV2Decoder.digits8(load64(j))
        guard whole > 0, whole < 8 else { return nil }
        let d = j &+ whole // ≤ i + 8
        let b = p[d]
        if b == 0x22 {
            i = d &+ 1
            return ExactDecimal(mantissa: Int128(Int64(bitPattern: w)), scale: 0)
        }
        guard b == 0x2E else { return nil }
        let word: UInt64
        if d &+ 9 < n {
            word = load64(d &+ 1) // bytes ≤ d + 8
        } else {
            // The fraction ends the frame's last few bytes (a frame's last quantity).
            guard d &+ 1 < n else { return nil }
            word = load8(d &+ 1)
        }
        let (fraction, f) = MarketDataV2Decoder.digits8(word)
        let q = d &+ 1 &+ fraction
        guard fraction > 0, q < n, p[q] == 0x22 else { return nil }
        i = q &+ 1
        let m = w &* MarketDataV2Decoder.pow10(fraction) &+ f
        return ExactDecimal(mantissa: Int128(Int64(bitPattern: m)), scale: UInt8(truncatingIfNeeded: fraction))
    }

    /// `commonDecimal()`, small enough to be inlined into the level loop: without bounds
    /// checks of its own (`commonDecimalInside`) but for a value in the frame's last 8
    /// bytes (a removal's `"0"` inline, any other out of line); nil when the value is not
    /// of that form (then `farDecimal`).
    @inline(__always) mutating func nearDecimal() -> ExactDecimal? {
        if i &+ 9 <= n { return commonDecimalInside() }
        // A removal ending the frame (`"0"]]}`, a third of deep books' frames): too near
        // the end for those loads, and the same value `commonDecimal` gives it.
        if i &+ 3 <= n, p[i] == 0x22, p[i &+ 1] == 0x30, p[i &+ 2] == 0x22 {
            i &+= 3
            return ExactDecimal(mantissa: 0, scale: 0)
        }
        return endDecimal()
    }

    /// `commonDecimal()` out of line, for a value in the frame's last 8 bytes.
    @inline(never) mutating func endDecimal() -> ExactDecimal? { commonDecimal() }

    /// `decimal()`, out of line: any other plain quoted decimal (whitespace before it,
    /// longer digit runs, near the end of the frame).
    @inline(never) mutating func farDecimal() -> ExactDecimal? { decimal() }

    /// `true` or `false` at `i` (what follows is checked by the caller's `,` or `}`).
    @inline(__always) mutating func boolean() -> Bool? {
        if at(i) != 0x74, at(i) != 0x66 { skipSpace() }
        guard i &+ 4 <= n else { return nil }
        if load32(i) == 0x6575_7274 { i &+= 4; return true } // true
        guard p[i] == 0x66, i &+ 5 <= n, load32(i &+ 1) == 0x6573_6C61 else { return nil } // f alse
        i &+= 5
        return false
    }

    /// `[["price","qty"], …]` at `i` into `out` from `count` with `side` (at most
    /// `capacity` in all); false on anything else.
    @inline(__always) mutating func levelList(_ side: Side, into out: UnsafeMutablePointer<L2Change>, count: inout Int,
                                              capacity: Int) -> Bool {
        guard take(0x5B) else { return false }
        if take(0x5D) { return true }
        var k = count
        defer { count = k }
        while true {
            guard k < capacity, take(0x5B), let price = nearDecimal() ?? farDecimal(), price.isPositive, take(0x2C),
                  let quantity = nearDecimal() ?? farDecimal(), take(0x5D) else { return false }
            (out + k).initialize(to: L2Change(side: side, price: price, quantity: quantity))
            k &+= 1
            if take(0x2C) { continue }
            return take(0x5D)
        }
    }

    /// The key at `i` (after whitespace): its letter when it is one unescaped letter in
    /// quotes followed by `:` (consumed), else 0.
    @inline(__always) mutating func shortKey() -> UInt8 {
        // Compact frames: `"k":` in one load.
        if i &+ 4 <= n {
            let w = load32(i)
            if w & 0xFFFF_00FF == 0x3A22_0022 {
                i &+= 4
                return UInt8(truncatingIfNeeded: w >> 8)
            }
        }
        skipSpace()
        guard i &+ 3 <= n, p[i] == 0x22, p[i &+ 2] == 0x22 else { return 0 }
        let key = p[i &+ 1]
        i &+= 3
        return take(0x3A) ? key : 0
    }

    /// Scans a whole frame into `f` and the levels into `out`; false when the frame is not
    /// a flat object of single-letter keys among `e E s U u b a t p q m`, each once, with
    /// values of the fast path's forms (`e` only `"depthUpdate"` or `"trade"`). Which kind it
    /// is, is for the caller to decide from `f.seen`.
    mutating func scanFrame(into out: UnsafeMutablePointer<L2Change>, capacity: Int, _ f: inout WSAPIFastFields) -> Bool {
        skipSpace()
        guard at(i) == 0x7B else { return false }
        i &+= 1
        var seen = 0
        while true {
            let bit: Int
            switch shortKey() {
            case 0x65: // e
                bit = WSAPIFastFields.e
                if at(i) != 0x22 { skipSpace() }
                if i &+ 13 <= n, p[i] == 0x22, load64(i &+ 1) == 0x6470_5568_7470_6564, // "depthUpd
                   load32(i &+ 9) == 0x2265_7461 { // ate"
                    i &+= 13
                } else if i &+ 7 <= n, p[i] == 0x22, load32(i &+ 1) == 0x6461_7274, // "trad
                          p[i &+ 5] == 0x65, p[i &+ 6] == 0x22 { // e"
                    i &+= 7
                    f.eventIsTrade = true
                } else {
                    return false
                }
            case 0x45: // E
                bit = WSAPIFastFields.E
                guard let v = integer() else { return false }
                f.time = v
            case 0x73: // s
                bit = WSAPIFastFields.s
                if at(i) != 0x22 { skipSpace() }
                guard at(i) == 0x22 else { return false }
                let k = MarketDataV2Decoder.stringEnd(p, n, from: i &+ 1)
                guard k >= 0 else { return false }
                f.symbolStart = i &+ 1
                f.symbolLength = k &- f.symbolStart
                i = k &+ 1
            case 0x55: // U
                bit = WSAPIFastFields.U
                guard let v = integer() else { return false }
                f.first = v
            case 0x75: // u
                bit = WSAPIFastFields.u
                guard let v = integer() else { return false }
                f.last = v
            case 0x62: // b
                bit = WSAPIFastFields.b
                guard levelList(.buy, into: out, count: &f.count, capacity: capacity) else { return false }
            case 0x61: // a
                bit = WSAPIFastFields.a
                guard levelList(.sell, into: out, count: &f.count, capacity: capacity) else { return false }
            case 0x74: // t
                bit = WSAPIFastFields.t
                guard let v = integer() else { return false }
                f.tradeID = v
            case 0x70: // p
                bit = WSAPIFastFields.p
                guard let v = decimal() else { return false }
                f.price = v
            case 0x71: // q
                bit = WSAPIFastFields.q
                guard let v = decimal() else { return false }
                f.quantity = v
            case 0x6D: // m
                bit = WSAPIFastFields.m
                guard let v = boolean() else { return false }
                f.buyerIsMaker = v
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
        f.seen = seen
        return i == n
    }
}
