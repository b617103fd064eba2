import CastorCore

/// What the journaled fills of one symbol add up to, exactly.
///
/// Fees are kept per currency rather than folded into `quote`: Gemini may charge them in the
/// quote currency, in GUSD or in the base, and only the caller knows the conversions.
public struct JournalPosition: Sendable, Hashable {
    public var symbol: String
    /// Net base amount bought: buys minus sells.
    public var base: ExactDecimal
    /// Net quote cash flow excluding fees: sell notional minus buy notional.
    public var quote: ExactDecimal
    /// Fees paid, by currency.
    public var fees: [String: ExactDecimal]
    public var fillCount: Int
    /// Exchange time of the newest fill, Unix ms.
    public var lastFillMs: Int64

    public init(symbol: String, base: ExactDecimal = .zero, quote: ExactDecimal = .zero,
                fees: [String: ExactDecimal] = [:], fillCount: Int = 0, lastFillMs: Int64 = 0) {
        self.symbol = symbol
        self.base = base
        self.quote = quote
        self.fees = fees
        self.fillCount = fillCount
        self.lastFillMs = lastFillMs
    }

    /// Adds one fill; nil if a sum would overflow `ExactDecimal`.
    func adding(_ side: Side, price: ExactDecimal, amount: ExactDecimal,
                fee: ExactDecimal, feeCurrency: String, timestampMs: Int64) -> JournalPosition? {
        guard let notional = price.multipliedReportingOverflow(by: amount) else { return nil }
        var next = self
        switch side {
        case .buy:
            guard let b = base.addingReportingOverflow(amount), let q = quote.addingReportingOverflow(-notional) else { return nil }
            next.base = b; next.quote = q
        case .sell:
            guard let b = base.addingReportingOverflow(-amount), let q = quote.addingReportingOverflow(notional) else { return nil }
            next.base = b; next.quote = q
        }
        guard let f = (fees[feeCurrency] ?? .zero).addingReportingOverflow(fee) else { return nil }
        next.fees[feeCurrency] = f
        next.fillCount += 1
        next.lastFillMs = max(lastFillMs, timestampMs)
        return next
    }
}
