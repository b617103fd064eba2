import CastorCore
import CastorStrategy
import Foundation

/// Switches shared between the test and `ChurnStrategy` (which runs on the engine queue).
final class ChurnControl: @unchecked Sendable {
    private let lock = NSLock()
    private var placingOn = true
    private var placed = 0
    private var refused = 0

    var placing: Bool {
        get { lock.withLock { placingOn } }
        set { lock.withLock { placingOn = newValue } }
    }

    func notePlace(_ result: PlaceResult) {
        lock.withLock { if result.clientOrderID != nil { placed += 1 } else { refused += 1 } }
    }

    var counts: (placed: Int, refused: Int) { lock.withLock { (placed, refused) } }
}

/// A test strategy that churns orders as fast as the engine's rate limit lets it: up to
/// `perSide` small limit orders on each side just inside the maker's quotes, each cancelled
/// once it has rested `restMs` unfilled: long enough that the counterparty takes most of them,
/// so most orders cost one request (a fill needs no cancel). Every
/// intent is a new client order id, which is what the chaos test counts duplicates of.
final class ChurnStrategy: Strategy {
    static let name = "chaos-churn"
    let control: ChurnControl
    let symbol = "btcusd"
    let perSide = 3
    let tickMs: Int64 = 20
    let restMs: Int64 = 400
    private var placedAt: [String: Int64] = [:]
    private var cancelRequested: Set<String> = []
    private var sequence = 0

    init(control: ChurnControl) { self.control = control }

    func start(context: any StrategyContext) { context.setTimer(id: "tick", after: tickMs) }

    func stop(context: any StrategyContext) { context.cancelAll(symbol: symbol) }

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {}

    func reconfigure(parameters: StrategyParameters) throws {}

    func onTimer(id: String, context: any StrategyContext) {
        defer { context.setTimer(id: "tick", after: tickMs) }
        let open = context.openOrders(symbol: symbol)
        let openIDs = Set(open.map(\.clientOrderID))
        cancelRequested.formIntersection(openIDs)
        placedAt = placedAt.filter { openIDs.contains($0.key) }
        let now = context.now
        for side in [Side.buy, .sell] {
            let mine = open.filter { $0.side == side }
            for o in mine where o.state != .pending && !cancelRequested.contains(o.clientOrderID)
                && now - (placedAt[o.clientOrderID] ?? now) >= restMs {
                cancelRequested.insert(o.clientOrderID)
                context.cancel(clientOrderID: o.clientOrderID)
            }
            guard control.placing, mine.count < perSide else { continue }
            sequence += 1
            // Inside the maker's 49 990 / 50 010 so the counterparty takes ours, never the maker's.
            let offset = ExactDecimal(sequence % 4)
            let price = side == .buy ? ExactDecimal(49_995) + offset : ExactDecimal(50_005) - offset
            let result = context.place(symbol: symbol, side: side, price: price, amount: ExactDecimal("0.01")!)
            control.notePlace(result)
            if let id = result.clientOrderID { placedAt[id] = now }
        }
    }
}
