import CastorCore

/// Exact helpers the built-ins need beyond ExactDecimal's arithmetic (it has no division,
/// deliberately: every division here states how it rounds).
///
/// Mids and prices come from the market-data feed, so every product and sum here uses the
/// overflow-reporting forms: a value too large (or too finely scaled) to compute gives nil,
/// and the strategy does not quote that side, rather than trapping the process.
enum DecimalMath {
    /// `bps` basis points as a decimal fraction (`25` → `0.0025`), exact.
    static func bps(_ bps: Int) -> ExactDecimal { ExactDecimal(mantissa: Int128(bps), scale: 4) }

    /// `bps` basis points given as a decimal (e.g. a skew of `2.5` bps per unit).
    static func bps(_ bps: ExactDecimal) -> ExactDecimal? { bps.multipliedReportingOverflow(by: ExactDecimal(mantissa: 1, scale: 4)) }

    /// `value × (1 + fraction)`, or nil when it cannot be computed exactly.
    static func scaled(_ value: ExactDecimal, by fraction: ExactDecimal) -> ExactDecimal? {
        value.multipliedReportingOverflow(by: fraction).flatMap(value.addingReportingOverflow)
    }

    /// `a × b`, or nil.
    static func product(_ a: ExactDecimal, _ b: ExactDecimal) -> ExactDecimal? { a.multipliedReportingOverflow(by: b) }

    /// The largest multiple of `step` not above `x / n` (`x >= 0`, `n > 0`, `step > 0`).
    static func divideDown(_ x: ExactDecimal, by n: Int, step: ExactDecimal) -> ExactDecimal {
        guard let divisor = step.multipliedReportingOverflow(by: ExactDecimal(n)) else { return .zero }
        let s = max(x.scale, divisor.scale)
        guard let xs = x.rescaled(to: s), let ds = divisor.rescaled(to: s), ds.mantissa > 0 else { return .zero }
        var q = xs.mantissa / ds.mantissa
        if xs.mantissa < 0, xs.mantissa % ds.mantissa != 0 { q -= 1 }
        return step.multipliedReportingOverflow(by: ExactDecimal(mantissa: q, scale: 0)) ?? .zero
    }

    /// True when `a` and `b` differ by more than `bps` basis points of `b` (`b > 0`); true
    /// as well when that cannot be computed (the caller recomputes, which says why).
    static func movedMoreThan(_ a: ExactDecimal, from b: ExactDecimal, bps limit: Int) -> Bool {
        guard let distance = a.subtractingReportingOverflow(b)?.magnitude.multipliedReportingOverflow(by: ExactDecimal(10_000)),
              let allowed = b.magnitude.multipliedReportingOverflow(by: ExactDecimal(limit)) else { return true }
        return distance > allowed
    }
}
