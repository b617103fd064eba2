import CastorCore

// Scalar readers for the new API's decoders. They return nil for a value of the wrong
// type or out of range (the caller names the field in its error); JSON syntax errors
// still throw.
extension JSONCursor {
    /// A whole number at the cursor, as a JSON integer or a string of digits; nil when it
    /// is neither, has a fraction or exponent, or does not fit in Int64.
    mutating func wsInteger() throws(MarketDataV2DecodingError) -> Int64? {
        skipWhitespace()
        var s = 0, e = 0
        if current == 0x22 {
            let token = try readString()
            guard !token.hasEscapes else { return nil }
            (s, e) = (token.start, token.end)
        } else if current == 0x2D || current &- 0x30 < 10 {
            (s, e) = try readNumber()
        } else {
            try skipValue()
            return nil
        }
        var i = s
        let negative = byte(at: i) == 0x2D
        if negative { i += 1 }
        guard i < e else { return nil }
        var v: Int64 = 0
        while i < e {
            let d = base[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = a
            i += 1
        }
        return negative ? -v : v
    }

    /// A decimal at the cursor (a JSON string such as `"45000.50"`, or a number), bounded
    /// like every wire decimal; nil when it is not one.
    @inline(__always)
    mutating func wsDecimal() throws(MarketDataV2DecodingError) -> ExactDecimal? {
        skipWhitespace()
        if current == 0x22, let fast = MarketDataV2Decoder.fastQuotedDecimal(&self) { return fast }
        let value: ExactDecimal?
        if current == 0x22 {
            let token = try readString()
            if token.hasEscapes {
                value = withUnescaped(token) { ExactDecimal(utf8: $0) } ?? nil
            } else {
                value = ExactDecimal(utf8: UnsafeRawBufferPointer(start: base + token.start, count: token.count))
            }
        } else if current == 0x2D || current &- 0x30 < 10 {
            let (s, e) = try readNumber()
            value = ExactDecimal(utf8: UnsafeRawBufferPointer(start: base + s, count: e - s))
        } else {
            try skipValue()
            return nil
        }
        guard let value else { return nil }
        return WireDecimal.bounded(value)
    }

    /// `true` / `false` at the cursor; nil for anything else.
    mutating func wsBool() throws(MarketDataV2DecodingError) -> Bool? {
        skipWhitespace()
        guard current == 0x74 || current == 0x66 else {
            try skipValue()
            return nil
        }
        return try readLiteral()
    }

    /// A string at the cursor as a `String` (control and rare paths); nil for another type.
    mutating func wsText() throws(MarketDataV2DecodingError) -> String? {
        skipWhitespace()
        guard current == 0x22 else {
            try skipValue()
            return nil
        }
        let token = try readString()
        if !token.hasEscapes {
            return String(decoding: UnsafeRawBufferPointer(start: base + token.start, count: token.count), as: UTF8.self)
        }
        return withUnescaped(token) { String(decoding: $0, as: UTF8.self) }
    }

    /// The one-or-two-byte key `token` as a small code (`"e"` → 0x65, `"id"` → 0x6964), 0
    /// for longer keys or escapes; lets a decoder switch on short keys without comparing.
    @inline(__always)
    func shortKey(_ token: JSONStringToken) -> UInt16 {
        guard !token.hasEscapes else { return 0 }
        switch token.count {
        case 1: return UInt16(base[token.start])
        case 2: return UInt16(base[token.start]) << 8 | UInt16(base[token.start + 1])
        default: return 0
        }
    }

    /// Opens a frame's top-level object (after whitespace); any other JSON value, checked
    /// whole, is `notAnObject`. Returns where the object starts.
    mutating func openFrameObject() throws -> Int {
        skipWhitespace()
        let objectStart = position
        guard current == 0x7B else {
            try skipValue()
            try expectEnd()
            throw WSAPIDecodingError.notAnObject(offset: objectStart)
        }
        position += 1
        return objectStart
    }

    /// Calls `body` with each key of the object at `at`, the cursor on the key's value,
    /// which `body` consumes; nothing when the value there is not an object.
    mutating func forEachMember(ofObjectAt at: Int,
                                _ body: (inout JSONCursor, JSONStringToken) throws -> Void) throws {
        position = at
        skipWhitespace()
        guard current == 0x7B else { return }
        position += 1
        var more = containerHasMembers(closing: 0x7D)
        while more {
            let key = try readKey()
            try body(&self, key)
            more = try containerContinues(closing: 0x7D)
        }
    }
}

extension WSAPIDecodingError {
    /// Runs a decoder's body, its errors as `WSAPIDecodingError` (the cursor's JSON errors
    /// converted).
    static func converting<T>(_ body: () throws -> T) throws(WSAPIDecodingError) -> T {
        do {
            return try body()
        } catch let error as MarketDataV2DecodingError {
            throw WSAPIDecodingError(error)
        } catch let error as WSAPIDecodingError {
            throw error
        } catch {
            throw .notAnObject(offset: 0)
        }
    }
}
