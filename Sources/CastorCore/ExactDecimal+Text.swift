extension ExactDecimal: LosslessStringConvertible, CustomStringConvertible, CustomDebugStringConvertible {
    /// Parses a decimal written as Gemini writes it: `"3633.00"`, `"-0.5"`, `"1e-8"`, `"1E-8"`,
    /// `"2.5e3"`. Returns nil for anything else (empty, spaces, `"+1"`, `".5"`, `"1."`, `"NaN"`,
    /// more than 38 significant digits).
    public init?(_ text: String) {
        var text = text
        guard let value = text.withUTF8({ ExactDecimal(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = value
    }

    /// Parses UTF-8 bytes without allocating; the market-data hot path calls this on slices
    /// of the received frame.
    @inlinable
    public init?(utf8 bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        var i = 0
        guard n > 0 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") { negative = true; i = 1 }
        // Integer and fraction digits share one accumulator: up to 18 significant digits
        // in a UInt64 (cheap), beyond that in Int128.
        var small: UInt64 = 0
        var big: Int128 = 0
        var digits = 0          // significant digits accumulated (leading zeros skipped)
        @inline(__always) func accumulate(_ d: UInt8) -> Bool {
            if digits > 0 || d != 0 { digits += 1 }
            if digits <= 18 {
                small = small &* 10 &+ UInt64(d)
                return true
            }
            if digits == 19 { big = Int128(small) }
            let (m, o1) = big.multipliedReportingOverflow(by: 10)
            let (sum, o2) = m.addingReportingOverflow(Int128(d))
            big = sum
            return !(o1 || o2)
        }
        var intDigits = 0
        while i < n, bytes[i] &- 48 < 10 {
            guard accumulate(bytes[i] &- 48) else { return nil }
            intDigits += 1; i += 1
        }
        guard intDigits > 0 else { return nil }
        var fracDigits = 0
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- 48 < 10 {
                guard accumulate(bytes[i] &- 48) else { return nil }
                fracDigits += 1; i += 1
            }
            guard fracDigits > 0 else { return nil }
        }
        var exponent = 0
        if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-"); i += 1
            }
            var expDigits = 0
            while i < n, bytes[i] &- 48 < 10 {
                exponent = exponent * 10 + Int(bytes[i] &- 48)
                expDigits += 1; i += 1
                if exponent > 1000 { return nil }
            }
            guard expDigits > 0 else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }
        var mantissa = digits <= 18 ? Int128(small) : big
        if negative { mantissa = -mantissa }
        var scale = fracDigits - exponent
        if scale < 0 {
            guard -scale <= 38 else {
                if mantissa == 0 { self = .zero; return }
                return nil
            }
            let (m, o) = mantissa.multipliedReportingOverflow(by: ExactDecimal.powersOfTen[-scale])
            if o { return nil }
            mantissa = m; scale = 0
        }
        while scale > Int(ExactDecimal.maxScale) {
            guard mantissa % 10 == 0 else { return nil }
            mantissa /= 10; scale -= 1
        }
        self.init(mantissa: mantissa, scale: UInt8(scale))
    }

    /// Plain notation, never an exponent, with exactly `scale` decimal places:
    /// `ExactDecimal("1e-8")!.description == "0.00000001"`.
    public var description: String {
        var digits = String(mantissa.magnitude)
        if scale > 0 {
            let s = Int(scale)
            if digits.count <= s { digits = String(repeating: "0", count: s - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -s))
        }
        return mantissa < 0 ? "-" + digits : digits
    }

    public var debugDescription: String { "ExactDecimal(\(description))" }

    /// Appends `description`'s UTF-8 to `out` without building a `String` (order payloads
    /// are written on the tick-to-order path; `Int128`'s own printing divides 128-bit).
    public func appendText(to out: inout [UInt8]) {
        let magnitude = mantissa.magnitude
        guard magnitude <= UInt128(UInt64.max) else {
            out.append(contentsOf: description.utf8)
            return
        }
        var value = UInt64(magnitude)
        // 20 digits hold any UInt64; `scale` ≤ 38 adds leading zeros and the point.
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        let s = Int(scale)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var end = buffer.count
            var written = 0
            repeat {
                end -= 1
                buffer[end] = UInt8(truncatingIfNeeded: value % 10) &+ 48
                value /= 10
                written += 1
                if written == s { end -= 1; buffer[end] = UInt8(ascii: ".") }
            } while value != 0
            // Fewer digits than the scale: "0.000…" before them.
            while written < s {
                end -= 1; buffer[end] = 48; written += 1
                if written == s { end -= 1; buffer[end] = UInt8(ascii: ".") }
            }
            if buffer[end] == UInt8(ascii: ".") { end -= 1; buffer[end] = 48 }
            if mantissa < 0 { end -= 1; buffer[end] = UInt8(ascii: "-") }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[end...]))
        }
    }
}

extension ExactDecimal: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}
