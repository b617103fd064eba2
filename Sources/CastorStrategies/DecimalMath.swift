import CastorCore

/// Exact helpers the built-ins need beyond ExactDecimal's arithmetic (it has no division,
/// deliberately: every division here states how it rounds).
enum DecimalMath {
    /// `bps` basis points as a decimal fraction (`25` → `0.0025`), exact.
    static func bps(_ bps: Int) -> ExactDecimal { ExactDecimal(mantissa: Int128(bps), scale: 4) }

    /// `bps` basis points given as a decimal (e.g. a skew of `2.5` bps per unit).
    static func bps(_ bps: ExactDecimal) -> ExactDecimal { bps * ExactDecimal(mantissa: 1, scale: 4) }

    /// `value × (1 + fraction)`.
    static func scaled(_ value: ExactDecimal, by fraction: ExactDecimal) -> ExactDecimal {
        value + value * fraction
    }

    /// The largest multiple of `step` not above `x / n` (`x >= 0`, `n > 0`, `step > 0`).
    static func divideDown(_ x: ExactDecimal, by n: Int, step: ExactDecimal) -> ExactDecimal {
        let divisor = step * ExactDecimal(n)
        let s = max(x.scale, divisor.scale)
        guard let xs = x.rescaled(to: s), let ds = divisor.rescaled(to: s), ds.mantissa > 0 else { return .zero }
        var q = xs.mantissa / ds.mantissa
        if xs.mantissa < 0, xs.mantissa % ds.mantissa != 0 { q -= 1 }
        return step * ExactDecimal(mantissa: q, scale: 0)
    }

    /// True when `a` and `b` differ by more than `bps` basis points of `b` (`b > 0`).
    static func movedMoreThan(_ a: ExactDecimal, from b: ExactDecimal, bps limit: Int) -> Bool {
        (a - b).magnitude * ExactDecimal(10_000) > b.magnitude * ExactDecimal(limit)
    }
}
