import CastorCore

// Scalar readers shared by the message parsers. They run in pass 2, on text pass 1 already
// validated as JSON, so their only failures are semantic: wrong JSON type, bad decimal.
extension MarketDataV2Decoder {
    /// A string value at the cursor.
    @inline(__always)
    func readString(_ c: inout JSONCursor, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> JSONStringToken {
        c.skipWhitespace()
        guard c.current == 0x22 else { throw .invalidValue(field, offset: c.position) }
        return try c.readString()
    }

    /// The `symbol` string at `at`, interned.
    mutating func readSymbol(_ c: inout JSONCursor, at: Int, objectStart: Int) throws(MarketDataV2DecodingError) -> SymbolID {
        guard at >= 0 else { throw .missingField(.symbol, offset: objectStart) }
        c.position = at
        return try readSymbol(&c)
    }

    /// A symbol string at the cursor, interned.
    @inline(__always)
    mutating func readSymbol(_ c: inout JSONCursor) throws(MarketDataV2DecodingError) -> SymbolID {
        let at = c.position
        let token = try readString(&c, .symbol)
        if !token.hasEscapes {
            let bytes = UnsafeRawBufferPointer(start: c.base + token.start, count: token.count)
            if let id = symbols.lookup(bytes) ?? symbols.id(for: bytes) { return id }
            throw .invalidValue(.symbol, offset: at)
        }
        var table = symbols
        let id = c.withUnescaped(token) { table.id(for: $0) } ?? nil
        symbols = table
        guard let id else { throw .invalidValue(.symbol, offset: at) }
        return id
    }

    /// `"buy"` / `"sell"` at the cursor.
    @inline(__always)
    func readSide(_ c: inout JSONCursor) throws(MarketDataV2DecodingError) -> Side {
        c.skipWhitespace()
        let at = c.position
        let token = try readString(&c, .side)
        if c.string(token, equals: "buy") { return .buy }
        if c.string(token, equals: "sell") { return .sell }
        throw .invalidValue(.side, offset: at)
    }

    /// A decimal at the cursor, sent either as a JSON string (`"9122.04"`, Gemini's usual
    /// framing for prices and quantities) or a JSON number (candles, some REST fields).
    @inline(__always)
    func readDecimal(_ c: inout JSONCursor, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> ExactDecimal {
        c.skipWhitespace()
        let at = c.position
        let value: ExactDecimal?
        if c.current == 0x22, let fast = MarketDataV2Decoder.fastQuotedDecimal(&c) {
            return fast
        }
        if c.current == 0x22 {
            let token = try c.readString()
            if token.hasEscapes {
                value = c.withUnescaped(token) { ExactDecimal(utf8: $0) } ?? nil
            } else {
                value = ExactDecimal(utf8: UnsafeRawBufferPointer(start: c.base + token.start, count: token.count))
            }
        } else if c.current == 0x2D || c.current &- 0x30 < 10 {
            let (s, e) = try c.readNumber()
            value = ExactDecimal(utf8: UnsafeRawBufferPointer(start: c.base + s, count: e - s))
        } else {
            throw .invalidValue(field, offset: at)
        }
        // Out of `WireDecimal`'s range is refused like a malformed number. (The fast path
        // above takes at most 18 digits, always inside it.)
        guard let value, let bounded = WireDecimal.bounded(value) else { throw .invalidValue(field, offset: at) }
        return bounded
    }

    /// A whole number at the cursor, as a JSON integer or a string of digits (Gemini sends
    /// ids and timestamps both ways across endpoints).
    func readInteger(_ c: inout JSONCursor, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> Int64 {
        c.skipWhitespace()
        let at = c.position
        var s = 0, e = 0
        if c.current == 0x22 {
            let token = try c.readString()
            guard !token.hasEscapes else { throw .invalidValue(field, offset: at) }
            (s, e) = (token.start, token.end)
        } else if c.current == 0x2D || c.current &- 0x30 < 10 {
            (s, e) = try c.readNumber()
        } else {
            throw .invalidValue(field, offset: at)
        }
        var i = s
        let negative = c.byte(at: i) == 0x2D
        if negative { i += 1 }
        guard i < e else { throw .invalidValue(field, offset: at) }
        var v: Int64 = 0
        while i < e {
            let d = c.base[i] &- 0x30
            guard d < 10 else { throw .invalidValue(field, offset: at) }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { throw .invalidValue(field, offset: at) }
            v = a
            i += 1
        }
        return negative ? -v : v
    }

    /// A non-negative whole number (ids).
    func readUnsigned(_ c: inout JSONCursor, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> UInt64 {
        let at = c.position
        let v = try readInteger(&c, field)
        guard v >= 0 else { throw .invalidValue(field, offset: at) }
        return UInt64(v)
    }

    /// `true` / `false`.
    func readBool(_ c: inout JSONCursor, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> Bool {
        c.skipWhitespace()
        let at = c.position
        guard c.current == 0x74 || c.current == 0x66 else { throw .invalidValue(field, offset: at) }
        return try c.readLiteral()
    }

    /// Positions the cursor inside an array at `at`; false if it is empty.
    func openArray(_ c: inout JSONCursor, at: Int, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> Bool {
        c.position = at
        c.skipWhitespace()
        guard c.current == 0x5B else { throw .invalidValue(field, offset: c.position) }
        c.position += 1
        return c.containerHasMembers(closing: 0x5D)
    }

    /// Positions the cursor inside an object at the cursor; false if it is empty.
    func openObject(_ c: inout JSONCursor, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> Bool {
        c.skipWhitespace()
        guard c.current == 0x7B else { throw .invalidValue(field, offset: c.position) }
        c.position += 1
        return c.containerHasMembers(closing: 0x7D)
    }

    /// A string value as a `String` (rare paths only).
    func readText(_ c: inout JSONCursor, _ field: MarketDataV2Field) throws(MarketDataV2DecodingError) -> String {
        let token = try readString(&c, field)
        if !token.hasEscapes {
            return String(decoding: UnsafeRawBufferPointer(start: c.base + token.start, count: token.count), as: UTF8.self)
        }
        return c.withUnescaped(token) { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The common framing, a quoted plain decimal (`"9122.04"`, `"0"`), scanned and parsed in
    /// one pass. Returns nil, leaving the cursor alone, for anything else (signs, exponents,
    /// escapes, more than 18 digits); the general path then handles or rejects it.
    @inline(__always)
    static func fastQuotedDecimal(_ c: inout JSONCursor) -> ExactDecimal? {
        var i = c.position + 1
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0
        var dot = false
        while i < c.count {
            let b = c.base[i]
            let d = b &- 0x30
            if d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                digits += 1
                if dot { fraction += 1 }
            } else if b == 0x2E, !dot, digits > 0 {
                dot = true
            } else {
                break
            }
            i += 1
        }
        guard i < c.count, c.base[i] == 0x22, digits > 0, digits <= 18, !dot || fraction > 0 else { return nil }
        c.position = i + 1
        return ExactDecimal(mantissa: Int128(mantissa), scale: UInt8(fraction))
    }
}
