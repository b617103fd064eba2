import CastorCore
import CastorStrategy

/// A scripted `StrategyContext`: records every request, quantises like the engine (via
/// `SymbolInfo.prepareOrder`), and lets tests set time, books and positions. Symbols are
/// canonicalised to upper case like the engine's (`Symbol`), in every
/// lookup and in what it records.
final class FakeContext: StrategyContext {
    struct Placed: Equatable {
        var id: String
        var symbol: String
        var side: Side
        var price: ExactDecimal
        var amount: ExactDecimal
        var options: OrderOption?
    }

    var now: Int64 = 1_700_000_000_000
    var symbols: [String: SymbolInfo] = [:]
    var books: [String: BookView] = [:]
    var positions: [String: ExactDecimal] = [:]
    var balances: [String: Balance] = [:]
    /// Refuse every order with this reason when set (a risk check saying no).
    var refuseAll: PlaceRefusal?

    private(set) var placed: [Placed] = []
    private(set) var cancelled: [String] = []
    private(set) var cancelledAll: [String] = []
    private(set) var timers: [String: Int64] = [:]
    private(set) var logs: [(level: LogLevel, message: String, fields: [String: String])] = []
    private(set) var open: [String: OrderView] = [:]
    private var nextID = 0

    init(symbol: SymbolInfo = .btcusd) { symbols[symbol.symbol.uppercased()] = symbol }

    func place(symbol: String, side: Side, price: ExactDecimal, amount: ExactDecimal, options: OrderOption?) -> PlaceResult {
        if let refuseAll { return .refused(refuseAll) }
        let symbol = symbol.uppercased()
        guard let info = symbols[symbol] else { return .refused(.unknownSymbol(symbol)) }
        switch info.prepareOrder(side: side, price: price, amount: amount) {
        case .failure(let why):
            return .refused(why)
        case .success(let (p, a)):
            nextID += 1
            let id = "c\(nextID)"
            placed.append(Placed(id: id, symbol: symbol, side: side, price: p, amount: a, options: options))
            open[id] = OrderView(
                clientOrderID: id, exchangeOrderID: nil, symbol: symbol, side: side, price: p,
                originalAmount: a, executedAmount: .zero, remainingAmount: a, options: options, state: .pending
            )
            return .placed(clientOrderID: id, price: p, amount: a)
        }
    }

    func cancel(clientOrderID: String) {
        cancelled.append(clientOrderID)
        open[clientOrderID] = nil
    }

    func cancelAll(symbol: String) {
        let symbol = symbol.uppercased()
        cancelledAll.append(symbol)
        for (id, o) in open where o.symbol == symbol { open[id] = nil }
    }

    func replace(clientOrderID: String, price: ExactDecimal, amount: ExactDecimal) -> PlaceResult {
        guard let old = open[clientOrderID] else {
            return .refused(.notAccepting("unknown order \(clientOrderID)"))
        }
        cancel(clientOrderID: clientOrderID)
        return place(symbol: old.symbol, side: old.side, price: price, amount: amount, options: old.options)
    }

    func openOrders(symbol: String) -> [OrderView] {
        open.values.filter { $0.symbol == symbol.uppercased() }.sorted { $0.clientOrderID < $1.clientOrderID }
    }

    func position(symbol: String) -> ExactDecimal {
        positions.filter { $0.key.uppercased() == symbol.uppercased() }.values.reduce(ExactDecimal.zero, +)
    }
    func balance(currency: String) -> Balance? { balances[currency] }
    func symbol(_ symbol: String) -> SymbolInfo? { symbols[symbol.uppercased()] }
    func book(_ symbol: String) -> BookView? { books[symbol.uppercased()] }
    func setTimer(id: String, after ms: Int64) { timers[id] = now + ms }
    func cancelTimer(id: String) { timers[id] = nil }

    func log(level: LogLevel, message: String, fields: [String: String]) {
        logs.append((level, message, fields))
    }

    // MARK: scripting

    /// Sets `symbol`'s book to one level each side and returns it.
    @discardableResult
    func setBook(_ symbol: String = "btcusd", bid: ExactDecimal, ask: ExactDecimal, quantity: ExactDecimal = 1) -> BookView {
        let b = BookView(
            symbol: symbol, bids: [BookLevel(price: bid, quantity: quantity)],
            asks: [BookLevel(price: ask, quantity: quantity)], timestampMs: now
        )
        books[symbol.uppercased()] = b
        return b
    }

    /// Fills `amount` of order `id` (all of it by default): updates the position, delivers
    /// the fill and then the order update to `strategy`, like the engine.
    func fill(_ id: String, amount: ExactDecimal? = nil, strategy: any Strategy) {
        guard var o = open[id] else { fatalError("fill of unknown order \(id)") }
        let a = amount ?? o.remainingAmount
        o.executedAmount += a
        o.remainingAmount -= a
        o.state = o.remainingAmount.isZero ? .filled : .partiallyFilled
        positions[o.symbol, default: .zero] += o.side == .buy ? a : -a
        open[id] = o.state == .filled ? nil : o
        strategy.onFill(Fill(
            tradeID: "t-\(id)-\(o.executedAmount)", clientOrderID: id, exchangeOrderID: nil, symbol: o.symbol,
            side: o.side, price: o.price, amount: a, fee: .zero, feeCurrency: "USD", liquidity: .maker, timestampMs: now
        ), context: self)
        strategy.onOrderUpdate(OrderUpdate(kind: o.state == .filled ? .filled : .partiallyFilled, order: o, timestampMs: now), context: self)
    }

    /// Advances time to timer `id`'s deadline and fires it.
    func fire(_ id: String, strategy: any Strategy) {
        guard let at = timers[id] else { fatalError("timer \(id) is not armed") }
        timers[id] = nil
        now = at
        strategy.onTimer(id: id, context: self)
    }

    var openIDs: [String] { open.keys.sorted() }
}

extension SymbolInfo {
    /// BTCUSD's real rules: price step 0.01, quantity step 1e-8, minimum 0.00001.
    static let btcusd = SymbolInfo(
        symbol: "btcusd", base: "BTC", quote: "USD",
        priceStep: ExactDecimal("0.01")!, quantityStep: ExactDecimal("0.00000001")!, minOrderSize: ExactDecimal("0.00001")!
    )
}

/// Terse decimal literals for tests: `d("0.01")`.
func d(_ s: String) -> ExactDecimal { ExactDecimal(s)! }

/// Parameters from string/int literals.
func params(_ values: [String: ParameterValue]) -> StrategyParameters { StrategyParameters(values) }
