import CastorCore
import CastorStrategy
import Synchronization

/// What the churn strategy has done so far; written on the engine queue, read by the
/// sampler on the main thread.
final class SoakCounters: Sendable {
    struct Snapshot: Sendable {
        var placed = 0
        var cancelsRequested = 0
        var cancelled = 0
        var filledOrders = 0
        var rejected = 0
        var fills = 0
        var refusals = 0
        var lastRefusal: String?
        /// Live orders the strategy is tracking (its slots in use).
        var tracked = 0
    }

    private let state = Mutex(Snapshot())
    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }
    var snapshot: Snapshot { state.withLock { $0 } }
}

/// `castor-bench soak`'s strategy: keeps `slots` orders live on one symbol and replaces
/// each as soon as it is finished, so orders, cancels and fills flow at whatever rate the
/// REST queue allows.
///
/// Every order but the taker ones is a maker-or-cancel order a few basis points from mid,
/// cancelled as soon as the engine reports it accepted or booked; every `takerEvery`-th is
/// an immediate-or-cancel order at the opposite best price (sides alternate, so the
/// position stays near flat) so fills happen too. It decides from the book top in O(1) and
/// keeps only the ids of its live orders, so its own memory is bounded by `slots`.
final class SoakChurnStrategy: Strategy {
    static let name = "soak-churn"
    private let symbol: String
    private let slots: Int
    private let takerEvery: Int
    private let counters: SoakCounters
    /// Live orders → whether a cancel was already requested.
    private var live: [String: Bool] = [:]
    private var sequence = 0
    private var takers = 0

    init(symbol: String, slots: Int, takerEvery: Int, counters: SoakCounters) {
        self.symbol = symbol
        self.slots = max(1, slots)
        self.takerEvery = takerEvery
        self.counters = counters
    }

    func start(context: any StrategyContext) { top(up: context) }
    func stop(context: any StrategyContext) {}
    func reconfigure(parameters: StrategyParameters) throws {}

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        if live.count < slots { top(up: context) }
    }

    func onOrderUpdate(_ update: OrderUpdate, context: any StrategyContext) {
        let id = update.order.clientOrderID
        guard let cancelRequested = live[id] else { return }
        switch update.kind {
        case .accepted, .booked, .partiallyFilled:
            guard !cancelRequested, update.order.options != .immediateOrCancel else { return }
            live[id] = true
            counters.update { $0.cancelsRequested += 1 }
            context.cancel(clientOrderID: id)
        case .filled, .cancelled, .rejected:
            live[id] = nil
            counters.update { c in
                switch update.kind {
                case .filled: c.filledOrders += 1
                case .rejected: c.rejected += 1
                default: c.cancelled += 1
                }
                c.tracked = live.count
            }
            top(up: context)
        }
    }

    func onFill(_ fill: Fill, context: any StrategyContext) {
        counters.update { $0.fills += 1 }
    }

    func adopt(openOrders: [OrderView]) -> [String] { [] }

    /// Places orders until every slot is in use (or the engine refuses one).
    private func top(up context: any StrategyContext) {
        guard let book = context.book(symbol), let bid = book.bestBid?.price, let ask = book.bestAsk?.price,
              let mid = book.mid, let info = context.symbol(symbol) else { return }
        while live.count < slots {
            sequence += 1
            let side: Side, price: ExactDecimal, options: OrderOption?
            if takerEvery > 0, sequence % takerEvery == 0 {
                takers += 1
                side = takers % 2 == 0 ? .buy : .sell
                price = side == .buy ? ask : bid
                options = .immediateOrCancel
            } else {
                side = sequence % 2 == 0 ? .buy : .sell
                // 5 to 24 basis points from mid: inside the price band, away from the touch.
                let bps = 5 + sequence % 20
                let factor = ExactDecimal(mantissa: Int128(side == .buy ? 10_000 - bps : 10_000 + bps), scale: 4)
                price = mid * factor
                options = .makerOrCancel
            }
            switch context.place(symbol: symbol, side: side, price: price, amount: info.minOrderSize, options: options) {
            case .placed(let id, _, _):
                live[id] = false
                counters.update { $0.placed += 1; $0.tracked = live.count }
            case .refused(let why):
                counters.update { $0.refusals += 1; $0.lastRefusal = why.description }
                return
            }
        }
    }
}
