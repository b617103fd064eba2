import CastorCore
import CastorTrading

/// The strategy's equity over engine time: realized PnL less fees plus the unrealized PnL
/// at each symbol's mid, summed over symbols (each in its quote currency: the sum means
/// something when they share one), sampled at every fill and every `sampleEveryMs`.
public struct EquityCurve: Sendable {
    public struct Sample: Sendable, Hashable {
        public var timeMs: Int64
        public var equity: ExactDecimal
        /// The first traded symbol's mid and position, for the plot.
        public var mid: ExactDecimal?
        public var position: ExactDecimal
    }

    public private(set) var samples: [Sample] = []
    public private(set) var peak: ExactDecimal = .zero
    /// The largest fall from a peak (zero or positive).
    public private(set) var maxDrawdown: ExactDecimal = .zero
    /// Samples kept for the plot; beyond it every other one is dropped (the drawdown still
    /// sees every sample).
    public let limit: Int

    public init(limit: Int = 20_000) { self.limit = limit }

    /// Equity of `pnl` at `marks` (symbols without a mark count their realized part only).
    static func equity(_ pnl: [Symbol: SymbolPnL], marks: (Symbol) -> ExactDecimal?) -> ExactDecimal {
        var total = ExactDecimal.zero
        for (symbol, p) in pnl {
            total = total.addingSaturating(p.realizedAfterFees ?? .zero)
            if let mark = marks(symbol), let u = p.unrealized(atMark: mark) { total = total.addingSaturating(u) }
        }
        return total
    }

    mutating func add(_ sample: Sample) {
        if sample.equity > peak { peak = sample.equity }
        if let dd = peak.subtractingReportingOverflow(sample.equity), dd > maxDrawdown { maxDrawdown = dd }
        samples.append(sample)
        if samples.count > limit {
            samples = samples.enumerated().compactMap { $0.offset % 2 == 0 ? $0.element : nil }
        }
    }
}
