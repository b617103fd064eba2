import CastorCore
import CastorStrategy

/// Keeps one minimum-size maker buy `offset_bps` below the best bid of `symbol` and logs
/// every fill. Harmless by design: it exists to show the plug-in mechanics.
///
/// Parameters: `symbol` (default: the first of `[engine] symbols`), `offset_bps` (integer,
/// default 100).
final class ExamplePinger: Strategy {
    private var symbol: String
    private var offsetBps: Int
    private var working: String?

    init(parameters: StrategyParameters) throws {
        (symbol, offsetBps) = try ExamplePinger.validate(parameters)
    }

    private static func validate(_ p: StrategyParameters) throws -> (String, Int) {
        try p.requireOnly(["symbol", "offset_bps"])
        // `symbol()` returns the canonical upper-case form the engine passes to `onBook`
        // ("btcusd" in a config is BTCUSD) and refuses a symbol the engine does not trade.
        return (try p.symbol(), try p.positiveInt("offset_bps", default: 100))
    }

    func start(context: any StrategyContext) {
        context.log(.info, "example-pinger started", ["symbol": symbol, "offset_bps": String(offsetBps)])
    }

    func stop(context: any StrategyContext) {
        // The engine cancels, hands over or keeps open orders at stop; nothing to cancel here.
        working = nil
    }

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        // sameSymbol, not ==: symbols compare case-insensitively, and it does not allocate on
        // this per-book-update path.
        guard StrategyParameters.sameSymbol(symbol, self.symbol), working == nil,
              let bid = book.bestBid?.price, let info = context.symbol(symbol) else { return }
        // bid × (1 - offset/10000), exact: basis points are a decimal with 4 places.
        let price = bid - bid * ExactDecimal(mantissa: Int128(offsetBps), scale: 4)
        let result = context.place(symbol: symbol, side: .buy, price: price, amount: info.minOrderSize, options: .makerOrCancel)
        switch result {
        case .placed(let id, let p, let a):
            working = id
            context.log(.info, "example-pinger placed", ["order": id, "price": "\(p)", "amount": "\(a)"])
        case .refused(let why):
            context.log(.warning, "example-pinger refused", ["reason": "\(why)"])
        }
    }

    func onOrderUpdate(_ update: OrderUpdate, context: any StrategyContext) {
        if update.order.clientOrderID == working, update.isTerminal { working = nil }
    }

    func onFill(_ fill: Fill, context: any StrategyContext) {
        context.log(.notice, "example-pinger filled", [
            "order": fill.clientOrderID, "price": "\(fill.price)", "amount": "\(fill.amount)", "fee": "\(fill.fee)",
        ])
    }

    func reconfigure(parameters: StrategyParameters) throws {
        (symbol, offsetBps) = try ExamplePinger.validate(parameters)
    }
}
