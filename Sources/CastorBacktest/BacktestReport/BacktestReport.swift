import CastorCore
import CastorTrading

/// What a backtest found: the input's counts, the engine's orders and fills, fees, profit
/// and loss (the engine's session PnL: FIFO, exact), the equity curve's maximum drawdown,
/// final positions, per-symbol figures, the venue's own counts.
///
/// Decimals are exact and written as strings; `seconds` is the recording's virtual span.
/// Everything but `wallSeconds` (and the rate derived from it) is a function of the input
/// and the options: `json(timing: false)` is byte-identical for equal runs.
public struct BacktestReport: Sendable {
    public struct SymbolFigures: Sendable, Hashable {
        public var symbol: Symbol
        public var quote: String
        public var orders: Int
        public var fills: Int
        public var makerFills: Int
        public var takerFills: Int
        public var volume: ExactDecimal
        public var fees: ExactDecimal
        public var realized: ExactDecimal
        public var unrealized: ExactDecimal
        public var position: ExactDecimal
        public var mark: ExactDecimal?
        /// A figure could not be computed (an overflow froze the PnL).
        public var overflowed: Bool
    }

    public var strategy: String
    public var lines: Int
    public var messages: Int
    public var skipped: Int
    public var malformed: Int
    public var firstMalformed: String?
    /// Recorded requests (subscribe) and frames before the feed was live.
    public var notApplied: Int
    public var virtualMs: Int64
    public var wallSeconds: Double
    public var orders: Int
    public var fills: Int
    public var fees: ExactDecimal
    public var realized: ExactDecimal
    public var unrealized: ExactDecimal
    public var maxDrawdown: ExactDecimal
    public var symbols: [SymbolFigures]
    public var venueCounters: BacktestVenue.Counters
    /// The engine's ledger counted as many fills as the venue executed.
    public var ledgerMatchesVenue: Bool
    public var stopError: String?
    public var settings: BacktestVenueSettings
    public var curve: EquityCurve

    /// Realized less fees plus unrealized.
    public var total: ExactDecimal { realized.addingSaturating(unrealized).addingSaturating(-fees) }

    public var messagesPerSecond: Double { wallSeconds > 0 ? Double(messages) / wallSeconds : 0 }

    init(strategy: String, tally: BacktestRun.Tally, wallSeconds: Double, pnl: [Symbol: SymbolPnL],
         ordersSent: [Symbol: Int], marks: [Symbol: ExactDecimal], venue: BacktestVenue, curve: EquityCurve,
         engineFills: Int, stopError: String?, settings: BacktestVenueSettings) {
        self.strategy = strategy
        lines = tally.lines
        messages = tally.messages
        skipped = tally.skipped + tally.malformed
        malformed = tally.malformed
        firstMalformed = tally.firstMalformed.map { "\($0.path):\($0.line): \($0.error)" }
        notApplied = tally.notReceived + tally.notLive
        virtualMs = (tally.lastMs ?? 0) - (tally.firstMs ?? 0)
        self.wallSeconds = wallSeconds
        orders = ordersSent.values.reduce(0, +)
        fills = engineFills
        self.stopError = stopError
        self.settings = settings
        self.curve = curve
        maxDrawdown = curve.maxDrawdown
        venueCounters = venue.counters
        ledgerMatchesVenue = engineFills == venue.tradeLog.count
        var figures: [SymbolFigures] = []
        var fees = ExactDecimal.zero, realized = ExactDecimal.zero, unrealized = ExactDecimal.zero
        for symbol in Set(pnl.keys).union(ordersSent.keys).sorted() {
            let p = pnl[symbol] ?? SymbolPnL()
            let mark = marks[symbol] ?? nil
            let u = mark.flatMap(p.unrealized(atMark:)) ?? .zero
            let trades = venue.tradeLog.filter { $0.symbol == symbol }
            figures.append(SymbolFigures(
                symbol: symbol, quote: BacktestVenueSettings.currencies(of: symbol).quote, orders: ordersSent[symbol] ?? 0,
                fills: p.fillCount, makerFills: trades.filter { $0.isTaker == false }.count,
                takerFills: trades.filter { $0.isTaker == true }.count, volume: p.volume, fees: p.quoteFees,
                realized: p.realized, unrealized: u, position: p.position, mark: mark, overflowed: p.isOverflowed))
            fees = fees.addingSaturating(p.quoteFees)
            realized = realized.addingSaturating(p.realized)
            unrealized = unrealized.addingSaturating(u)
        }
        symbols = figures
        self.fees = fees
        self.realized = realized
        self.unrealized = unrealized
    }

    /// `ms` as seconds with three decimals, exact.
    static func seconds(_ ms: Int64) -> String {
        "\(ExactDecimal(mantissa: Int128(ms), scale: 3))"
    }
}
