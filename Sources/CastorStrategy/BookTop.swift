import CastorCore

/// The best bid and ask of a book. Either side may be empty (a halted or thin market).
public struct BookTop: Sendable, Hashable {
    public var bestBid: BookLevel?
    public var bestAsk: BookLevel?

    public init(bestBid: BookLevel?, bestAsk: BookLevel?) {
        self.bestBid = bestBid
        self.bestAsk = bestAsk
    }

    /// `(bid + ask) / 2`, exact (halving a decimal only adds one place). Nil unless both
    /// sides are present, and nil when the prices (from the exchange) are too large or too
    /// fine for the exact result, instead of trapping.
    public var mid: ExactDecimal? {
        guard let b = bestBid?.price, let a = bestAsk?.price else { return nil }
        return b.addingReportingOverflow(a)?.multipliedReportingOverflow(by: ExactDecimal(mantissa: 5, scale: 1))
    }

    /// `ask - bid`, nil unless both sides are present (or when it overflows).
    public var spread: ExactDecimal? {
        guard let b = bestBid?.price, let a = bestAsk?.price else { return nil }
        return a.subtractingReportingOverflow(b)
    }
}
