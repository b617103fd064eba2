import Glibc

/// A string token: the bytes between the quotes, still escaped when `hasEscapes` is set.
struct JSONStringToken {
    /// Offset of the first content byte (just after the opening quote).
    var start: Int
    /// Offset just past the last content byte (the closing quote).
    var end: Int
    /// True when the content contains a backslash; such strings go through `unescape`
    /// before being compared or parsed (rare on the wire, so the common path stays a memcmp).
    var hasEscapes: Bool

    var count: Int { end - start }
}

/// A forward-only reader over the bytes of one JSON message.
///
/// It never copies: tokens are offsets into the caller's buffer, so decoding a message costs
/// no allocation. Every method that consumes input validates it against RFC 8259 and throws
/// `MarketDataV2DecodingError.malformedJSON` with the byte offset of the first bad byte.
/// Reading past the end yields the sentinel byte 0, which no valid token starts with.
struct JSONCursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    var position: Int

    /// Values nested deeper than this are rejected rather than recursed into, so a hostile
    /// frame cannot exhaust the stack.
    static let maxDepth = 64

    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have a nil base; point at a static byte so reads stay defined.
        if let b = bytes.baseAddress {
            base = b.assumingMemoryBound(to: UInt8.self)
        } else {
            base = JSONCursor.emptyByte
        }
        count = bytes.count
        position = 0
    }

    nonisolated(unsafe) private static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()

    @inline(__always) func byte(at i: Int) -> UInt8 { i < count ? base[i] : 0 }
    @inline(__always) var current: UInt8 { byte(at: position) }

    @inline(__always) func fail(_ problem: JSONProblem, at offset: Int? = nil) -> MarketDataV2DecodingError {
        .malformedJSON(offset: offset ?? position, problem: problem)
    }

    @inline(__always) mutating func skipWhitespace() {
        while position < count {
            let b = base[position]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            position += 1
        }
    }

    /// Consumes `byte` (after whitespace) or throws.
    @inline(__always) mutating func expect(_ byte: UInt8) throws(MarketDataV2DecodingError) {
        skipWhitespace()
        guard position < count else { throw fail(.unexpectedEnd) }
        guard base[position] == byte else { throw fail(.unexpectedByte(base[position])) }
        position += 1
    }

    /// After `{` or `[`: true if the container has a first member, false if it closes at once.
    @inline(__always) mutating func containerHasMembers(closing: UInt8) -> Bool {
        skipWhitespace()
        if position < count, base[position] == closing { position += 1; return false }
        return true
    }

    /// After a member: true at `,` (another member follows), false at the closing bracket.
    @inline(__always) mutating func containerContinues(closing: UInt8) throws(MarketDataV2DecodingError) -> Bool {
        skipWhitespace()
        guard position < count else { throw fail(.unexpectedEnd) }
        let b = base[position]
        position += 1
        if b == 0x2C { return true }
        if b == closing { return false }
        throw fail(.unexpectedByte(b), at: position - 1)
    }

    /// Reads an object key and the `:` after it.
    @inline(__always) mutating func readKey() throws(MarketDataV2DecodingError) -> JSONStringToken {
        skipWhitespace()
        let key = try readString()
        try expect(0x3A)
        return key
    }

    /// Reads a string token at the current position (after whitespace), validating escapes.
    mutating func readString() throws(MarketDataV2DecodingError) -> JSONStringToken {
        skipWhitespace()
        guard position < count else { throw fail(.unexpectedEnd) }
        guard base[position] == 0x22 else { throw fail(.unexpectedByte(base[position])) }
        let start = position + 1
        var i = start
        var escapes = false
        while true {
            // Eight bytes at a time: flag bytes equal to '"' or '\\' or below 0x20 (SWAR
            // "has zero byte"; the lowest flag is exact, higher ones may be spurious).
            while i + 8 <= count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let lo: UInt64 = 0x0101_0101_0101_0101, hi: UInt64 = 0x8080_8080_8080_8080
                let q = w ^ (0x22 &* lo), s = w ^ (0x5C &* lo)
                let flags = ((q &- lo) & ~q | (s &- lo) & ~s | (w &- 0x20 &* lo) & ~w) & hi
                if flags != 0 { i += flags.trailingZeroBitCount >> 3; break }
                i += 8
            }
            // Byte at a time for the tail and to classify the flagged byte.
            while i < count, base[i] != 0x22, base[i] != 0x5C, base[i] >= 0x20 { i += 1 }
            guard i < count else { throw fail(.unterminatedString, at: start - 1) }
            let b = base[i]
            if b == 0x22 { break }
            if b < 0x20 { throw fail(.controlCharacterInString, at: i) }
            escapes = true
            let e = byte(at: i + 1)
            switch e {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
            case 0x75:
                for k in 2...5 where !JSONCursor.isHex(byte(at: i + k)) { throw fail(.invalidEscape, at: i) }
                i += 6
            default: throw fail(.invalidEscape, at: i)
            }
        }
        position = i + 1
        return JSONStringToken(start: start, end: i, hasEscapes: escapes)
    }

    @inline(__always) static func isHex(_ b: UInt8) -> Bool {
        (b &- 0x30) < 10 || ((b | 0x20) &- 0x61) < 6
    }

    /// Reads a number token and returns its byte range; grammar per RFC 8259 §6.
    mutating func readNumber() throws(MarketDataV2DecodingError) -> (start: Int, end: Int) {
        skipWhitespace()
        let start = position
        var i = position
        if byte(at: i) == 0x2D { i += 1 }
        let first = byte(at: i)
        if first == 0x30 {
            i += 1
        } else if first &- 0x31 < 9 {
            while byte(at: i) &- 0x30 < 10 { i += 1 }
        } else {
            throw first == 0 && i >= count ? fail(.unexpectedEnd, at: i) : fail(.invalidNumber, at: start)
        }
        if byte(at: i) == 0x2E {
            i += 1
            guard byte(at: i) &- 0x30 < 10 else { throw fail(.invalidNumber, at: start) }
            while byte(at: i) &- 0x30 < 10 { i += 1 }
        }
        if byte(at: i) | 0x20 == 0x65 {
            i += 1
            if byte(at: i) == 0x2B || byte(at: i) == 0x2D { i += 1 }
            guard byte(at: i) &- 0x30 < 10 else { throw fail(.invalidNumber, at: start) }
            while byte(at: i) &- 0x30 < 10 { i += 1 }
        }
        position = i
        return (start, i)
    }

    /// Reads `true`, `false` or `null`; returns the boolean (false for null).
    mutating func readLiteral() throws(MarketDataV2DecodingError) -> Bool {
        skipWhitespace()
        let s = position
        if matchesWord("true") { position += 4; return true }
        if matchesWord("false") { position += 5; return false }
        if matchesWord("null") { position += 4; return false }
        throw s >= count ? fail(.unexpectedEnd) : fail(.invalidLiteral, at: s)
    }

    private func matchesWord(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        return position + n <= count && memcmp(base + position, word.utf8Start, n) == 0
    }

    /// Skips one complete value of any kind, validating it.
    mutating func skipValue(depth: Int = 0) throws(MarketDataV2DecodingError) {
        skipWhitespace()
        switch current {
        case 0x22: _ = try readString()
        case 0x7B:
            guard depth < JSONCursor.maxDepth else { throw fail(.nestedTooDeeply) }
            position += 1
            var more = containerHasMembers(closing: 0x7D)
            while more {
                _ = try readKey()
                try skipValue(depth: depth + 1)
                more = try containerContinues(closing: 0x7D)
            }
        case 0x5B:
            guard depth < JSONCursor.maxDepth else { throw fail(.nestedTooDeeply) }
            position += 1
            var more = containerHasMembers(closing: 0x5D)
            while more {
                try skipValue(depth: depth + 1)
                more = try containerContinues(closing: 0x5D)
            }
        case 0x74, 0x66, 0x6E: _ = try readLiteral()
        case 0x2D, 0x30...0x39: _ = try readNumber()
        default:
            throw position >= count ? fail(.unexpectedEnd) : fail(.unexpectedByte(current))
        }
    }

    /// Throws unless only whitespace remains.
    mutating func expectEnd() throws(MarketDataV2DecodingError) {
        skipWhitespace()
        if position < count { throw fail(.trailingData) }
    }

    /// True when the string token's content equals `literal` (escapes decoded).
    @inline(__always) func string(_ token: JSONStringToken, equals literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        if !token.hasEscapes {
            return token.count == n && memcmp(base + token.start, literal.utf8Start, n) == 0
        }
        return withUnescaped(token) { bytes in
            bytes.count == n && (n == 0 || memcmp(bytes.baseAddress!, literal.utf8Start, n) == 0)
        } ?? false
    }

    /// Calls `body` with the token's content, escapes decoded, in a stack buffer; nil when
    /// the decoded content would exceed 256 bytes (longer than any key, symbol or decimal
    /// Castor needs to interpret) or is not valid.
    func withUnescaped<R>(_ token: JSONStringToken, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        if !token.hasEscapes {
            return body(UnsafeRawBufferPointer(start: base + token.start, count: token.count))
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buffer -> R? in
            guard let n = JSONUnescaper.unescape(base + token.start, count: token.count, into: buffer) else { return nil }
            return body(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))
        }
    }
}
