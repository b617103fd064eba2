import CastorCore

/// The range of decimals Castor accepts from Gemini: magnitude below 10^20 and at most 18
/// decimal places (after dropping trailing zeros).
///
/// Real prices, amounts, fees and balances are many orders of magnitude inside it; a value
/// outside is hostile or corrupt, and refusing it at decode time keeps it away from the
/// arithmetic downstream. Inside the range any two values align to a common scale without
/// overflow (`10^20 × 10^18 < Int128.max`), so comparisons are exact. Sums and products
/// can still overflow: those use the `…ReportingOverflow` forms.
public enum WireDecimal {
    /// Values must be strictly below `10^maxIntegerDigits` in magnitude.
    public static let maxIntegerDigits = 20
    /// Most decimal places accepted (trailing zeros beyond it are dropped, not refused).
    public static let maxScale: UInt8 = 18

    private static let limit: Int128 = {
        var p: Int128 = 1
        for _ in 0..<(maxIntegerDigits + Int(maxScale)) { p *= 10 }
        return p
    }()

    /// `value` if it is within range, rewritten without trailing zeros if its scale is above
    /// `maxScale`; nil if it is out of range.
    public static func bounded(_ value: ExactDecimal) -> ExactDecimal? {
        var v = value
        if v.scale > maxScale {
            v = v.normalized
            guard v.scale <= maxScale else { return nil }
        }
        // |mantissa| × 10^(maxScale − scale) < 10^(20 + 18), computed without overflow:
        // compare |mantissa| against limit / 10^(maxScale − scale).
        var bound = limit
        for _ in 0..<Int(maxScale - v.scale) { bound /= 10 }
        return v.mantissa.magnitude < UInt128(bound) ? v : nil
    }

    static func describe(_ value: ExactDecimal) -> String {
        "decimal \(value) outside the accepted range (magnitude below 1e\(maxIntegerDigits), at most \(maxScale) places)"
    }
}

// Every decimal that a decoder in this module reads through a container is bounded: these
// non-generic overloads are preferred by the compiler over `decode<T: Decodable>`, so
// `c.decode(ExactDecimal.self, forKey: .price)` anywhere in GeminiProtocol lands here.
// (`ExactDecimal`'s own `Decodable` conformance, in CastorCore, stays unbounded for the
// journal and configuration.)

extension KeyedDecodingContainer {
    func decode(_ type: ExactDecimal.Type, forKey key: Key) throws -> ExactDecimal {
        let raw: ExactDecimal = try decodeUnbounded(forKey: key)
        guard let value = WireDecimal.bounded(raw) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: WireDecimal.describe(raw))
        }
        return value
    }

    func decodeIfPresent(_ type: ExactDecimal.Type, forKey key: Key) throws -> ExactDecimal? {
        guard let raw: ExactDecimal = try decodeUnboundedIfPresent(forKey: key) else { return nil }
        guard let value = WireDecimal.bounded(raw) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: WireDecimal.describe(raw))
        }
        return value
    }

    /// The generic (unbounded) decode.
    private func decodeUnbounded<T: Decodable>(forKey key: Key) throws -> T {
        try decode(T.self, forKey: key)
    }

    private func decodeUnboundedIfPresent<T: Decodable>(forKey key: Key) throws -> T? {
        try decodeIfPresent(T.self, forKey: key)
    }
}

extension UnkeyedDecodingContainer {
    mutating func decode(_ type: ExactDecimal.Type) throws -> ExactDecimal {
        let raw: ExactDecimal = try decodeUnbounded()
        guard let value = WireDecimal.bounded(raw) else {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: WireDecimal.describe(raw))
        }
        return value
    }

    private mutating func decodeUnbounded<T: Decodable>() throws -> T {
        try decode(T.self)
    }
}
