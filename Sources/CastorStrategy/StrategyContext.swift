import CastorCore

/// What a strategy can see and do, implemented by the engine (and by fake contexts in
/// tests).
///
/// Every method is called on the engine's serial queue, from inside a ``Strategy``
/// callback; none blocks on the network. Orders go through risk checks and a
/// rate-limited REST queue, so `place` returning `.placed` means "queued", and the
/// exchange's answer arrives later as an ``OrderUpdate``.
public protocol StrategyContext: AnyObject {
    /// Engine time in milliseconds since the Unix epoch. Strategies use this rather than
    /// the wall clock so replays and tests are deterministic.
    var now: Int64 { get }

    /// Queues a limit order. The engine quantises `price` to the symbol's price step toward
    /// the passive side (buys down, sells up) and `amount` down to the quantity step (see
    /// ``SymbolInfo/prepareOrder(side:price:amount:)``), and refuses sizes below
    /// `minOrderSize`, unknown symbols and orders its risk checks reject. `options` is the
    /// order's execution option (``OrderOption``), nil for a plain good-till-cancelled limit.
    func place(symbol: String, side: Side, price: ExactDecimal, amount: ExactDecimal, options: OrderOption?) -> PlaceResult

    /// Requests cancellation of one of our orders. Unknown or already closed ids are
    /// ignored; the outcome arrives as an ``OrderUpdate``.
    func cancel(clientOrderID: String)

    /// Requests cancellation of all our open orders on `symbol`.
    func cancelAll(symbol: String)

    /// Cancels `clientOrderID` and places a new order on the same symbol and side with the
    /// same options at `price` for `amount` (quantised like `place`). Gemini has no
    /// amend, so this is a cancel plus a new order with a new client order id. The cancel
    /// is requested even when the new order is refused, so on `.refused` the strategy has
    /// no order on that side any more.
    func replace(clientOrderID: String, price: ExactDecimal, amount: ExactDecimal) -> PlaceResult

    /// Our orders on `symbol` that are not yet terminal, including ones still pending.
    func openOrders(symbol: String) -> [OrderView]

    /// Our net position in `symbol`'s base currency: positive long, negative short, as
    /// the engine tracks it from fills since its inventory baseline.
    func position(symbol: String) -> ExactDecimal

    /// The balance of `currency` (e.g. `BTC`, `USD`), nil if unknown.
    func balance(currency: String) -> Balance?

    /// The rules of `symbol`, nil if the engine does not know it.
    func symbol(_ symbol: String) -> SymbolInfo?

    /// The current top of `symbol`'s book, nil if there is no book yet.
    func book(_ symbol: String) -> BookView?

    /// Arms (or re-arms) the one-shot timer `id` to fire ``Strategy/onTimer(id:context:)``
    /// after `ms` milliseconds of engine time.
    func setTimer(id: String, after ms: Int64)

    /// Disarms timer `id`; no effect if it is not armed.
    func cancelTimer(id: String)

    /// Writes a structured log line attributed to the strategy.
    func log(level: LogLevel, message: String, fields: [String: String])
}

extension StrategyContext {
    /// `place` without options: a plain limit order.
    public func place(symbol: String, side: Side, price: ExactDecimal, amount: ExactDecimal) -> PlaceResult {
        place(symbol: symbol, side: side, price: price, amount: amount, options: nil)
    }

    /// `log` without fields.
    public func log(_ level: LogLevel, _ message: String, _ fields: [String: String] = [:]) {
        log(level: level, message: message, fields: fields)
    }
}
