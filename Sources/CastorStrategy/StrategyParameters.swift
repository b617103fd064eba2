import CastorCore

/// The parameters of one strategy instance: a string-keyed map of typed values with
/// accessors that throw a ``StrategyParameterError`` naming the parameter.
///
/// Accessors are lenient where the config format forces it: a decimal may be given as an
/// integer or a decimal string, an integer as a string of digits, and a duration as an
/// integer of milliseconds or a string such as `"500ms"`, `"5s"`, `"2m"`, `"1h"`.
public struct StrategyParameters: Sendable, Hashable {
    public var values: [String: ParameterValue]
    /// Prefix of parameter names in error messages, so they read like config paths.
    public var path: String
    /// The symbols the engine trades (`[engine] symbols`, in config order, canonical upper
    /// case). A strategy's `symbol` parameter defaults to the first; see ``symbol(_:)``.
    public var symbols: [String]

    public init(_ values: [String: ParameterValue] = [:], path: String = "strategy.params", symbols: [String] = []) {
        self.values = values
        self.path = path
        self.symbols = symbols.map { $0.uppercased() }
    }

    // MARK: symbols

    /// The symbol parameter `key` in canonical (upper-case) form, the form the engine uses
    /// in every callback; when absent, the first of ``symbols`` (missing if there is none).
    public func symbol(_ key: String = "symbol") throws(StrategyParameterError) -> String {
        if values[key] == nil, let first = symbols.first { return first }
        let s = try string(key)
        guard !s.isEmpty else { throw invalid(key, "must be a symbol such as \"BTCUSD\"") }
        let symbol = s.uppercased()
        // The engine subscribes to `[engine] symbols` only: a strategy on another symbol
        // would never see a book.
        if !symbols.isEmpty, !symbols.contains(symbol) {
            throw invalid(key, "\(symbol) is not one of [engine] symbols (\(symbols.joined(separator: ", "))): add it there or trade one of those")
        }
        return symbol
    }

    /// Whether two symbols name the same pair (symbols compare case-insensitively, ASCII
    /// letters only; no allocation: strategies call it on every book update).
    public static func sameSymbol(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where p != q {
            let lower = p | 0x20
            guard lower == q | 0x20, lower >= 0x61, lower <= 0x7A else { return false }
        }
        return true
    }

    /// The config path of `key`, as errors print it.
    public func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error about `key` saying what its value must be.
    public func invalid(_ key: String, _ must: String) -> StrategyParameterError {
        StrategyParameterError(parameter: name(key), problem: .invalid(must))
    }

    public func contains(_ key: String) -> Bool { values[key] != nil }

    /// Throws for the first key (sorted) not in `known`, to catch typos that would
    /// otherwise silently leave a default in force.
    public func requireOnly(_ known: Set<String>) throws(StrategyParameterError) {
        let extras = values.keys.sorted().filter { !known.contains($0) }
        guard let first = extras.first else { return }
        func guess(_ key: String) -> String {
            SpellingSuggestion.suggestion(for: key, among: known.sorted()).map { " (did you mean \"\($0)\"?)" } ?? ""
        }
        var hint = guess(first)
        if extras.count > 1 { hint += "; also unknown: " + extras.dropFirst().map { name($0) + guess($0) }.joined(separator: ", ") }
        hint += "; its parameters are " + known.sorted().joined(separator: ", ")
        throw StrategyParameterError(parameter: name(first), problem: .unknown, hint: hint)
    }

    private func required(_ key: String) throws(StrategyParameterError) -> ParameterValue {
        guard let v = values[key] else { throw StrategyParameterError(parameter: name(key), problem: .missing) }
        return v
    }

    // MARK: strings

    public func string(_ key: String) throws(StrategyParameterError) -> String {
        guard case .string(let s) = try required(key) else { throw invalid(key, "must be a string") }
        return s
    }

    public func string(_ key: String, default d: String) throws(StrategyParameterError) -> String {
        values[key] == nil ? d : try string(key)
    }

    // MARK: booleans

    public func bool(_ key: String) throws(StrategyParameterError) -> Bool {
        guard case .bool(let b) = try required(key) else { throw invalid(key, "must be true or false") }
        return b
    }

    public func bool(_ key: String, default d: Bool) throws(StrategyParameterError) -> Bool {
        values[key] == nil ? d : try bool(key)
    }

    // MARK: integers

    public func int(_ key: String) throws(StrategyParameterError) -> Int {
        switch try required(key) {
        case .int(let i): return i
        case .string(let s): if let i = Int(s) { return i }
        case .decimal(let d): if d.isMultiple(of: 1), let i = Int(exactly: d.quantized(toStep: 1, rule: .towardZero)!.mantissa) { return i }
        default: break
        }
        throw invalid(key, "must be an integer")
    }

    public func int(_ key: String, default d: Int) throws(StrategyParameterError) -> Int {
        values[key] == nil ? d : try int(key)
    }

    /// An integer `> 0`.
    public func positiveInt(_ key: String) throws(StrategyParameterError) -> Int {
        let i: Int
        do { i = try int(key) } catch where error.problem != .missing { throw invalid(key, "must be a positive integer") }
        guard i > 0 else { throw invalid(key, "must be a positive integer") }
        return i
    }

    public func positiveInt(_ key: String, default d: Int) throws(StrategyParameterError) -> Int {
        values[key] == nil ? d : try positiveInt(key)
    }

    /// An integer `>= 0`.
    public func nonNegativeInt(_ key: String, default d: Int) throws(StrategyParameterError) -> Int {
        guard values[key] != nil else { return d }
        let i: Int
        do { i = try int(key) } catch { throw invalid(key, "must be a non-negative integer") }
        guard i >= 0 else { throw invalid(key, "must be a non-negative integer") }
        return i
    }

    /// An integer in `range` (e.g. basis points in `0...10_000`), `d` when absent. Strategies
    /// bound every count and rate so that no product with a price or amount can overflow.
    public func int(_ key: String, in range: ClosedRange<Int>, default d: Int) throws(StrategyParameterError) -> Int {
        guard values[key] != nil else { return d }
        let must = switch range.lowerBound {
        case 1: "must be a positive integer"
        case 0: "must be a non-negative integer"
        default: "must be an integer from \(range.lowerBound) to \(range.upperBound)"
        }
        let i: Int
        do { i = try int(key) } catch { throw invalid(key, must) }
        guard i >= range.lowerBound else { throw invalid(key, must) }
        guard i <= range.upperBound else { throw invalid(key, "must be at most \(range.upperBound)") }
        return i
    }

    // MARK: decimals

    /// Decimal parameters stay below 10^15 with at most 18 decimal places, so a strategy's
    /// products of a parameter with a price, a count or basis points stay inside `ExactDecimal`.
    public static let decimalIntegerDigits = 15
    public static let decimalFractionDigits = 18
    private static let decimalRangeMust = "must be below 10^\(decimalIntegerDigits) with at most \(decimalFractionDigits) decimal places"

    /// A decimal number within ``decimalIntegerDigits`` / ``decimalFractionDigits``.
    public func decimal(_ key: String) throws(StrategyParameterError) -> ExactDecimal {
        var parsed: ExactDecimal?
        switch try required(key) {
        case .decimal(let d): parsed = d
        case .int(let i): parsed = ExactDecimal(i)
        case .string(let s): parsed = ExactDecimal(s)
        default: break
        }
        guard let d = parsed, d.mantissa != .min else { throw invalid(key, "must be a decimal number (write it as a string, e.g. \"0.001\")") }
        let v = d.scale > UInt8(Self.decimalFractionDigits) ? d.normalized : d
        guard v.scale <= UInt8(Self.decimalFractionDigits),
              v.magnitude < ExactDecimal(mantissa: 1_000_000_000_000_000, scale: 0) else {
            throw invalid(key, Self.decimalRangeMust)
        }
        return v
    }

    public func decimal(_ key: String, default d: ExactDecimal) throws(StrategyParameterError) -> ExactDecimal {
        values[key] == nil ? d : try decimal(key)
    }

    /// A decimal `> 0`.
    public func positiveDecimal(_ key: String) throws(StrategyParameterError) -> ExactDecimal {
        let d: ExactDecimal
        do { d = try decimal(key) } catch where error.problem != .missing && error.problem != .invalid(Self.decimalRangeMust) {
            throw invalid(key, "must be a positive decimal")
        }
        guard d.isPositive else { throw invalid(key, "must be a positive decimal") }
        return d
    }

    /// A decimal `> 0`, or nil when absent.
    public func optionalPositiveDecimal(_ key: String) throws(StrategyParameterError) -> ExactDecimal? {
        values[key] == nil ? nil : try positiveDecimal(key)
    }

    // MARK: durations

    /// The longest duration a parameter accepts: 10^12 ms, about 31 years. The bound keeps
    /// `now + duration` and unit conversions far from `Int64` overflow in every strategy.
    public static let maximumDurationMs: Int64 = 1_000_000_000_000

    /// A duration in milliseconds, at most ``maximumDurationMs``.
    public func durationMs(_ key: String) throws(StrategyParameterError) -> Int64 {
        let must = "must be a duration such as \"500ms\", \"5s\", \"2m\" or \"1h\" (or integer milliseconds)"
        let ms: Int64?
        switch try required(key) {
        case .durationMs(let v): ms = v >= 0 ? v : nil
        case .int(let i): ms = i >= 0 ? Int64(exactly: i) ?? .max : nil
        case .string(let s):
            if let v = StrategyParameters.parseDuration(s) { ms = v }
            else if StrategyParameters.isOverlongDuration(s) { ms = .max }
            else { ms = nil }
        default: ms = nil
        }
        guard let ms else { throw invalid(key, must) }
        guard ms <= Self.maximumDurationMs else {
            throw invalid(key, "must be at most \(Self.maximumDurationMs / 1000)s (about 31 years)")
        }
        return ms
    }

    public func durationMs(_ key: String, default d: Int64) throws(StrategyParameterError) -> Int64 {
        values[key] == nil ? d : try durationMs(key)
    }

    /// A duration `> 0` in milliseconds.
    public func positiveDurationMs(_ key: String, default d: Int64? = nil) throws(StrategyParameterError) -> Int64 {
        if values[key] == nil, let d { return d }
        let ms = try durationMs(key)
        guard ms > 0 else { throw invalid(key, "must be a positive duration") }
        return ms
    }

    /// `"250ms"`, `"5s"`, `"1.5s"`, `"2m"`, `"1h"` → milliseconds; nil if malformed, not a
    /// whole number of milliseconds, or too large for `Int64` (`"1e38h"`: never traps).
    public static func parseDuration(_ text: String) -> Int64? {
        guard case .value(let v) = scanDuration(text) else { return nil }
        return v
    }

    /// A well-formed duration too long to represent (or longer than ``maximumDurationMs``).
    static func isOverlongDuration(_ text: String) -> Bool {
        switch scanDuration(text) {
        case .overflow: true
        case .value(let v): v > maximumDurationMs
        case .malformed: false
        }
    }

    private enum ScannedDuration { case value(Int64), overflow, malformed }

    private static func scanDuration(_ text: String) -> ScannedDuration {
        let units: [(String, Int)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = String(text.dropLast(suffix.count))
            guard let n = ExactDecimal(number) else {
                // 39+ digits or an exponent beyond ExactDecimal: well formed but far too long.
                let plain = !number.isEmpty && number.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "+") }
                return plain && number.first!.isNumber ? .overflow : .malformed
            }
            guard !n.isNegative else { return .malformed }
            guard let ms = n.multipliedReportingOverflow(by: ExactDecimal(factor)) else { return .overflow }
            guard ms.isMultiple(of: 1), let whole = ms.quantized(toStep: 1, rule: .towardZero),
                  let r = whole.rescaled(to: 0) else { return .malformed }
            guard let v = Int64(exactly: r.mantissa) else { return .overflow }
            return .value(v)
        }
        return .malformed
    }
}
