/// Decodes the escapes of a JSON string's content into UTF-8.
///
/// Gemini never escapes symbols, sides or decimals, but JSON allows it (`"\u0042TCUSD"` is
/// `"BTCUSD"`), so the decoder must understand escapes to be a real JSON parser. This is the
/// slow path; it runs only for strings the cursor flagged as containing a backslash.
enum JSONUnescaper {
    /// Writes the decoded bytes of `count` escaped bytes at `source` into `output`; returns the
    /// decoded length, or nil if the output does not fit or a `\u` escape is an unpaired
    /// surrogate. The escape syntax itself was already validated by `JSONCursor.readString`.
    static func unescape(_ source: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var i = 0, o = 0
        func put(_ b: UInt8) -> Bool {
            guard o < output.count else { return false }
            output[o] = b; o += 1
            return true
        }
        while i < count {
            let b = source[i]
            if b != 0x5C {
                guard put(b) else { return nil }
                i += 1
                continue
            }
            let e = source[i + 1]
            i += 2
            let simple: UInt8?
            switch e {
            case 0x22: simple = 0x22
            case 0x5C: simple = 0x5C
            case 0x2F: simple = 0x2F
            case 0x62: simple = 0x08
            case 0x66: simple = 0x0C
            case 0x6E: simple = 0x0A
            case 0x72: simple = 0x0D
            case 0x74: simple = 0x09
            default: simple = nil
            }
            if let s = simple {
                guard put(s) else { return nil }
                continue
            }
            // \uXXXX, possibly a surrogate pair.
            var scalar = hex4(source + i)
            i += 4
            if scalar >= 0xD800 && scalar < 0xDC00 {
                guard i + 6 <= count, source[i] == 0x5C, source[i + 1] == 0x75 else { return nil }
                let low = hex4(source + i + 2)
                guard low >= 0xDC00 && low < 0xE000 else { return nil }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            } else if scalar >= 0xDC00 && scalar < 0xE000 {
                return nil
            }
            guard let u = Unicode.Scalar(scalar) else { return nil }
            for byte in UTF8.encode(u)! {
                guard put(byte) else { return nil }
            }
        }
        return o
    }

    private static func hex4(_ p: UnsafePointer<UInt8>) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[k]
            let d: UInt32 = c &- 0x30 < 10 ? UInt32(c &- 0x30) : UInt32((c | 0x20) &- 0x61) + 10
            v = v << 4 | d
        }
        return v
    }
}
