import CastorCore
import CastorStrategy

/// The `StrategyContext` the engine hands its strategy: a thin forwarder to the engine,
/// valid only on the engine queue (which is where every strategy callback runs).
///
/// Unowned because the engine owns the context; the strategy must not keep it (see
/// `Strategy`), so it never outlives the engine.
final class EngineStrategyContext: StrategyContext {
    unowned let engine: Engine

    init(engine: Engine) {
        self.engine = engine
    }

    var now: Int64 { engine.now }

    func place(symbol: String, side: Side, price: ExactDecimal, amount: ExactDecimal, options: OrderOption?) -> PlaceResult {
        engine.place(symbol: symbol, side: side, price: price, amount: amount, options: options)
    }

    func cancel(clientOrderID: String) { engine.cancel(clientOrderID: clientOrderID) }

    func cancelAll(symbol: String) { engine.cancelAll(symbol: symbol) }

    func replace(clientOrderID: String, price: ExactDecimal, amount: ExactDecimal) -> PlaceResult {
        engine.replace(clientOrderID: clientOrderID, price: price, amount: amount)
    }

    func openOrders(symbol: String) -> [OrderView] { engine.openOrderViews(symbol: symbol) }

    func position(symbol: String) -> ExactDecimal { engine.router.manager.ledger.position(Symbol(symbol)).base }

    func balance(currency: String) -> CastorStrategy.Balance? { engine.market.balances[currency.uppercased()] }

    func symbol(_ symbol: String) -> SymbolInfo? { engine.market.symbolInfo[Symbol(symbol)] }

    func book(_ symbol: String) -> BookView? { engine.bookView(symbol) }

    func setTimer(id: String, after ms: Int64) { engine.setStrategyTimer(id: id, after: ms) }

    func cancelTimer(id: String) { engine.cancelStrategyTimer(id: id) }

    func log(level: LogLevel, message: String, fields: [String: String]) {
        engine.strategyLog(level: level, message: message, fields: fields)
    }
}
