import CastorCore
import CastorStrategy

/// `observe`: places nothing; logs each symbol's best bid/ask, spread and the trades seen
/// since the last line, at most once per `log_interval` per symbol. Useful to check feeds
/// and configuration against the live market with no risk.
final class Observe: Strategy {
    private struct Tally {
        var lastLogMs: Int64?
        var trades = 0
        var volume: ExactDecimal = .zero
        var lastPrice: ExactDecimal?
    }

    private(set) var parameters: ObserveParameters
    private var tallies: [String: Tally] = [:]

    init(parameters: StrategyParameters) throws {
        self.parameters = try ObserveParameters(parameters)
    }

    func start(context: any StrategyContext) {
        context.log(.info, "observe started", ["symbol": parameters.symbol ?? "*"])
    }

    func stop(context: any StrategyContext) {}

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        guard parameters.symbol.map({ StrategyParameters.sameSymbol($0, symbol) }) ?? true else { return }
        var t = tallies[symbol, default: Tally()]
        defer { tallies[symbol] = t }
        if let last = t.lastLogMs, context.now - last < parameters.logIntervalMs { return }
        var fields = ["symbol": symbol, "trades": String(t.trades), "volume": "\(t.volume)"]
        if let b = book.bestBid { fields["bid"] = "\(b.price)"; fields["bid_qty"] = "\(b.quantity)" }
        if let a = book.bestAsk { fields["ask"] = "\(a.price)"; fields["ask_qty"] = "\(a.quantity)" }
        if let s = book.spread { fields["spread"] = "\(s)" }
        if let p = t.lastPrice { fields["last"] = "\(p)" }
        context.log(.info, "market", fields)
        t = Tally(lastLogMs: context.now)
    }

    func onTrade(_ trade: MarketTrade, context: any StrategyContext) {
        guard parameters.symbol.map({ StrategyParameters.sameSymbol($0, trade.symbol) }) ?? true else { return }
        var t = tallies[trade.symbol, default: Tally()]
        t.trades += 1
        t.volume += trade.amount
        t.lastPrice = trade.price
        tallies[trade.symbol] = t
    }

    func reconfigure(parameters: StrategyParameters) throws {
        self.parameters = try ObserveParameters(parameters)
    }
}
