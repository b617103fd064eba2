/// An exact base-10 number: `mantissa × 10^-scale`, for prices, quantities, fees and balances.
///
/// Gemini sends decimals as strings (and a few as JSON numbers such as `1e-8`); binary
/// floating point would round them, so Castor never uses `Double` for money. The scale is
/// kept as written, so `"3633.00"` prints back as `"3633.00"`, while equality, ordering and
/// hashing are by value (`3633.00 == 3633`).
///
/// A 128-bit mantissa holds 38 significant digits, far beyond any price, amount or balance
/// Gemini reports (fiat balances have at most 15 decimals, crypto 19). Arithmetic that would
/// overflow traps, like Swift's integer operators; the `…ReportingOverflow` forms do not.
public struct ExactDecimal: Sendable {
    /// The significand; the value is `mantissa / 10^scale`.
    public let mantissa: Int128
    /// Number of decimal places, `0...maxScale`.
    public let scale: UInt8

    /// The largest supported number of decimal places.
    public static let maxScale: UInt8 = 38

    /// Creates `mantissa × 10^-scale`. `scale` must be at most `maxScale`.
    @inlinable
    public init(mantissa: Int128, scale: UInt8 = 0) {
        precondition(scale <= ExactDecimal.maxScale, "ExactDecimal scale \(scale) exceeds \(ExactDecimal.maxScale)")
        self.mantissa = mantissa
        self.scale = scale
    }

    /// An integer value with scale 0.
    @inlinable
    public init(_ integer: Int) { self.init(mantissa: Int128(integer), scale: 0) }

    public static let zero = ExactDecimal(mantissa: 0, scale: 0)

    @inlinable public var isZero: Bool { mantissa == 0 }
    @inlinable public var isNegative: Bool { mantissa < 0 }
    @inlinable public var isPositive: Bool { mantissa > 0 }

    /// The same value with trailing fractional zeros removed (`"1.500"` → `"1.5"`).
    public var normalized: ExactDecimal {
        var m = mantissa, s = scale
        while s > 0, m % 10 == 0 { m /= 10; s -= 1 }
        return ExactDecimal(mantissa: m, scale: s)
    }

    /// `10^n` for `n` in `0...38`.
    @usableFromInline
    static let powersOfTen: [Int128] = {
        var table: [Int128] = [1]
        for _ in 1...38 { table.append(table.last! * 10) }
        return table
    }()

    /// This value rewritten with `newScale` decimal places, or nil if that would lose digits
    /// or overflow.
    public func rescaled(to newScale: UInt8) -> ExactDecimal? {
        guard newScale <= ExactDecimal.maxScale else { return nil }
        if newScale == scale { return self }
        if newScale > scale {
            let (m, o) = mantissa.multipliedReportingOverflow(by: ExactDecimal.powersOfTen[Int(newScale - scale)])
            return o ? nil : ExactDecimal(mantissa: m, scale: newScale)
        }
        let p = ExactDecimal.powersOfTen[Int(scale - newScale)]
        let (q, r) = mantissa.quotientAndRemainder(dividingBy: p)
        return r == 0 ? ExactDecimal(mantissa: q, scale: newScale) : nil
    }

    /// Both operands at a common scale, or nil when aligning would overflow.
    @usableFromInline
    static func aligned(_ a: ExactDecimal, _ b: ExactDecimal) -> (Int128, Int128, UInt8)? {
        if a.scale == b.scale { return (a.mantissa, b.mantissa, a.scale) }
        if a.scale < b.scale {
            guard let x = a.rescaled(to: b.scale) else { return nil }
            return (x.mantissa, b.mantissa, b.scale)
        }
        guard let y = b.rescaled(to: a.scale) else { return nil }
        return (a.mantissa, y.mantissa, a.scale)
    }
}

extension ExactDecimal: Equatable, Hashable, Comparable {
    @inlinable
    public static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa == rhs.mantissa }
        return compare(lhs, rhs) == 0
    }

    public func hash(into hasher: inout Hasher) {
        let n = normalized
        hasher.combine(n.mantissa)
        hasher.combine(n.scale)
    }

    @inlinable
    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.mantissa < rhs.mantissa }
        return compare(lhs, rhs) < 0
    }

    /// -1, 0 or 1. When aligning scales overflows, the side that overflowed has the larger
    /// magnitude, so its sign decides.
    @usableFromInline
    static func compare(_ a: ExactDecimal, _ b: ExactDecimal) -> Int {
        if let (x, y, _) = aligned(a, b) { return x < y ? -1 : (x == y ? 0 : 1) }
        let scaledSide = a.scale < b.scale ? a : b
        let sign = scaledSide.mantissa < 0 ? -1 : 1
        return scaledSide.mantissa == a.mantissa && scaledSide.scale == a.scale ? sign : -sign
    }
}

extension ExactDecimal {
    /// Sum, with the larger of the two scales. Traps on overflow.
    public static func + (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        guard let r = lhs.addingReportingOverflow(rhs) else { preconditionFailure("ExactDecimal overflow in \(lhs) + \(rhs)") }
        return r
    }

    /// Difference, with the larger of the two scales. Traps on overflow.
    public static func - (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        guard let r = lhs.subtractingReportingOverflow(rhs) else { preconditionFailure("ExactDecimal overflow in \(lhs) - \(rhs)") }
        return r
    }

    /// Product, with scale `lhs.scale + rhs.scale` (trailing zeros trimmed if that exceeds
    /// `maxScale`). Traps on overflow.
    public static func * (lhs: ExactDecimal, rhs: ExactDecimal) -> ExactDecimal {
        guard let r = lhs.multipliedReportingOverflow(by: rhs) else { preconditionFailure("ExactDecimal overflow in \(lhs) * \(rhs)") }
        return r
    }

    public static prefix func - (value: ExactDecimal) -> ExactDecimal {
        ExactDecimal(mantissa: -value.mantissa, scale: value.scale)
    }

    public static func += (lhs: inout ExactDecimal, rhs: ExactDecimal) { lhs = lhs + rhs }
    public static func -= (lhs: inout ExactDecimal, rhs: ExactDecimal) { lhs = lhs - rhs }

    // The reporting forms never produce a mantissa of `Int128.min`: it has no negation, so
    // `-x`, `magnitude` and a later subtraction would trap on it. Such a result counts as an
    // overflow. Use these forms on every value derived from the network.

    /// The sum, or nil on overflow.
    public func addingReportingOverflow(_ other: ExactDecimal) -> ExactDecimal? {
        guard let (x, y, s) = ExactDecimal.aligned(self, other) else { return nil }
        let (m, o) = x.addingReportingOverflow(y)
        return o || m == .min ? nil : ExactDecimal(mantissa: m, scale: s)
    }

    /// The sum, or on overflow the largest magnitude of the sum's sign (`±(2^127 − 1)`, scale
    /// 0): for running totals that feed limits, where a total too large to represent must
    /// still compare as larger than any limit (and refuse), never trap.
    public func addingSaturating(_ other: ExactDecimal) -> ExactDecimal {
        if let sum = addingReportingOverflow(other) { return sum }
        let negative = isNegative && other.isNegative
        return ExactDecimal(mantissa: negative ? -Int128.max : Int128.max, scale: 0)
    }

    /// `self = self.addingSaturating(other)`.
    public mutating func addSaturating(_ other: ExactDecimal) { self = addingSaturating(other) }

    /// The difference `self - other`, or nil on overflow (never traps, even for an operand
    /// whose mantissa is `Int128.min`).
    public func subtractingReportingOverflow(_ other: ExactDecimal) -> ExactDecimal? {
        guard let (x, y, s) = ExactDecimal.aligned(self, other) else { return nil }
        let (m, o) = x.subtractingReportingOverflow(y)
        return o || m == .min ? nil : ExactDecimal(mantissa: m, scale: s)
    }

    /// The negation, or nil for a mantissa of `Int128.min` (which has none).
    public var negatedReportingOverflow: ExactDecimal? {
        mantissa == .min ? nil : ExactDecimal(mantissa: -mantissa, scale: scale)
    }

    /// The product, or nil on overflow or when the exact result needs more than 38 places.
    public func multipliedReportingOverflow(by other: ExactDecimal) -> ExactDecimal? {
        let (m, o) = mantissa.multipliedReportingOverflow(by: other.mantissa)
        if o || m == .min { return nil }
        let s = Int(scale) + Int(other.scale)
        if s <= Int(ExactDecimal.maxScale) { return ExactDecimal(mantissa: m, scale: UInt8(s)) }
        return ExactDecimal(mantissa: m, scale: ExactDecimal.maxScale)
            .flatMapTrim(extraScale: s - Int(ExactDecimal.maxScale))
    }

    private func flatMapTrim(extraScale: Int) -> ExactDecimal? {
        guard extraScale <= 38 else { return nil }
        let p = ExactDecimal.powersOfTen[extraScale]
        let (q, r) = mantissa.quotientAndRemainder(dividingBy: p)
        return r == 0 ? ExactDecimal(mantissa: q, scale: scale) : nil
    }

    /// The absolute value.
    public var magnitude: ExactDecimal { mantissa < 0 ? -self : self }

    /// How a value is brought onto a step grid.
    public enum RoundingRule: Sendable {
        /// Towards negative infinity.
        case down
        /// Towards positive infinity.
        case up
        /// Towards zero (what an exchange accepts for a quantity you must not exceed).
        case towardZero
        /// To the nearest step; halves away from zero.
        case nearest
    }

    /// This value as a whole multiple of `step` (for example a price on the symbol's
    /// `quote_increment` or an amount on its `tick_size`). The result has `step`'s scale
    /// or this value's, whichever is larger. Returns nil if `step` is not positive.
    public func quantized(toStep step: ExactDecimal, rule: RoundingRule) -> ExactDecimal? {
        guard step.mantissa > 0, let (x, y, s) = ExactDecimal.aligned(self, step) else { return nil }
        var (q, r) = x.quotientAndRemainder(dividingBy: y)
        if r != 0 {
            switch rule {
            case .towardZero: break
            case .down: if x < 0 { q -= 1 }
            case .up: if x > 0 { q += 1 }
            case .nearest:
                if r.magnitude * 2 >= y.magnitude { q += x < 0 ? -1 : 1 }
            }
        }
        let (m, o) = q.multipliedReportingOverflow(by: y)
        return o ? nil : ExactDecimal(mantissa: m, scale: s)
    }

    /// True when this value is a whole multiple of `step`.
    public func isMultiple(of step: ExactDecimal) -> Bool {
        guard step.mantissa != 0, let (x, y, _) = ExactDecimal.aligned(self, step) else { return false }
        return x % y == 0
    }
}
