import CastorBacktest
import CastorConfig
import CastorCore
import CastorStrategy
import Logging
import Synchronization

/// Places one order at the first book that has a mid, and never again.
final class OneOrder: Strategy, @unchecked Sendable {
    static let name = "one-order"
    let side: Side, price: ExactDecimal, amount: ExactDecimal, option: OrderOption?
    private var placed = false

    init(side: Side, price: ExactDecimal, amount: ExactDecimal, option: OrderOption? = nil) {
        (self.side, self.price, self.amount, self.option) = (side, price, amount, option)
    }

    func start(context: any StrategyContext) {}
    func stop(context: any StrategyContext) {}
    func reconfigure(parameters: StrategyParameters) throws {}

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        guard !placed, book.mid != nil else { return }
        placed = true
        _ = context.place(symbol: symbol, side: side, price: price, amount: amount, options: option)
    }
}

enum BacktestHarness {
    static let logger = Logger(label: "castor.backtest.test") { _ in SwiftLogNoOpLogHandler() }

    /// Options for a test strategy (registered under a plug-in selection, as the virtual
    /// chaos run does: extra factories win over a plug-in of the same name).
    static func options(_ strategy: OneOrder, symbols: [String] = ["BTCUSD"]) -> BacktestOptions {
        var c = CastorConfiguration(environment: [:])
        c.strategy.selection = .plugin(path: "/nonexistent/one-order.so", name: OneOrder.name)
        c.strategy.parameters = StrategyParameterTable([:])
        c.risk.defaults = RiskLimits(maxOrderNotional: 1_000_000, maxPosition: 1_000, maxOpenOrders: 20, priceBandBps: 500,
                                     maxOrdersPerMinute: 1_000, killSwitch: false)
        var o = BacktestOptions(configuration: c)
        o.symbols = symbols
        o.strategies = [ClosureStrategyFactory(name: OneOrder.name) { _ in strategy }]
        return o
    }

    /// Options for a built-in strategy with `parameters`.
    static func options(builtIn: BuiltInStrategy, parameters: [String: StrategyParameterValue] = [:]) -> BacktestOptions {
        var c = CastorConfiguration(environment: [:])
        c.strategy.selection = .builtIn(builtIn)
        c.strategy.parameters = StrategyParameterTable(parameters)
        return BacktestOptions(configuration: c)
    }

    /// Runs a backtest over `text` (blocking: call through `offPool`).
    static func run(_ text: String, _ options: BacktestOptions) throws(BacktestError) -> BacktestReport {
        var bytes = Array(text.utf8)
        return try run(bytes: &bytes, options)
    }

    static func run(bytes: inout [UInt8], _ options: BacktestOptions) throws(BacktestError) -> BacktestReport {
        let result: Result<BacktestReport, BacktestError> = bytes.withUnsafeBytes { raw in
            do throws(BacktestError) {
                return .success(try BacktestRun(inputs: [(path: "test.txt", bytes: raw)], options: options, logger: logger).run())
            } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// The hand-made market: bids 100.00 ×2, 99.00 ×1; asks 101.00 ×1, 102.00 ×3 (mid 100.50).
enum HandMade {
    static let t0 = 1_700_000_000
    static func at(_ ms: Int, _ frame: String) -> String {
        let s = t0 + ms / 1000, m = ms % 1000
        return "\(s).\(m < 10 ? "00" : m < 100 ? "0" : "")\(m): \(frame)"
    }
    static let snapshot = #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["buy","100.00","2"],["buy","99.00","1"],["sell","101.00","1"],["sell","102.00","3"]],"trades":[]}"#
    static func trade(_ id: Int, _ price: String, _ quantity: String, _ side: String = "sell") -> String {
        #"{"type":"trade","symbol":"BTCUSD","event_id":\#(id),"timestamp":\#(Int64(t0) * 1000),"price":"\#(price)","quantity":"\#(quantity)","side":"\#(side)"}"#
    }
    static func l2(_ side: String, _ price: String, _ quantity: String) -> String {
        #"{"type":"l2_updates","symbol":"BTCUSD","changes":[["\#(side)","\#(price)","\#(quantity)"]]}"#
    }
}
