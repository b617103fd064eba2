import CastorCore
import CastorStrategy

/// The strategy `castor-bench latency` runs: on a book update, at most once per `gapMs`,
/// one immediate-or-cancel buy of the minimum size a few price steps under the best bid.
///
/// It decides in O(1) from the book top, so the measurement is the engine's path (feed
/// decode → book → strategy call → order manager → risk → journal → REST queue → signing →
/// HTTP write), not strategy work. IOC far from the ask never rests and never fills, so
/// no cancel requests compete for the rate limit; the gap keeps every order inside the
/// rate limit's burst so none waits in the REST queue (that wait would be policy, not latency).
final class BenchTickStrategy: Strategy {
    static let name = "bench-tick"
    private let symbol: String
    private let gapMs: Int64
    private var lastPlaceMs: Int64 = 0
    private(set) var placed = 0

    init(symbol: String, gapMs: Int64) {
        self.symbol = symbol
        self.gapMs = gapMs
    }

    func start(context: any StrategyContext) {}
    func stop(context: any StrategyContext) {}
    func reconfigure(parameters: StrategyParameters) throws {}

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        let now = context.now
        // The engine names symbols in lower case here (REST spelling), upper case elsewhere.
        guard StrategyParameters.sameSymbol(symbol, self.symbol), now - lastPlaceMs >= gapMs, let bid = book.bestBid,
              let info = context.symbol(self.symbol) else { return }
        let steps = ExactDecimal(5) * info.priceStep
        guard let price = info.passivePrice(bid.price - steps, side: .buy) else { return }
        lastPlaceMs = now
        placed += 1
        _ = context.place(symbol: self.symbol, side: .buy, price: price, amount: info.minOrderSize, options: .immediateOrCancel)
    }
}
