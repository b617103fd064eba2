import CastorCore
import CastorStrategy

/// `grid`: `levels` buys below and `levels` sells above a reference price (mid at start
/// unless `reference` is given), spaced `step_bps` of the reference or `step` in price,
/// each for `size`. When a level fills completely, the opposite order goes one step
/// away (a filled buy at P becomes a sell at P + step), so the grid harvests oscillation.
///
/// Level prices are kept unrounded and the context rounds each order toward the passive
/// side, so repeated refills do not drift by accumulated rounding. A `reconfigure` that
/// changes the layout (levels, step, reference, symbol) cancels the grid and lays it out
/// again at the next book event; a size change applies to new orders. A level the engine
/// refuses (a risk limit, say) is tried again every `retryAfterRefusalMs` until it is
/// placed or the grid is laid out anew, so a passing refusal does not leave a hole.
final class Grid: Strategy {
    private struct Level {
        var side: Side
        var price: ExactDecimal
    }

    private(set) var parameters: GridParameters
    private var orders: [String: Level] = [:]
    /// Levels (and their amounts) the engine refused, waiting for the retry timer.
    private var refused: [(level: Level, amount: ExactDecimal)] = []
    private var retryArmed = false
    static let retryAfterRefusalMs: Int64 = 1_000
    static let retryTimer = "grid.retry"
    private var stepPrice: ExactDecimal?
    private var needsLayout = true

    init(parameters: StrategyParameters) throws {
        self.parameters = try GridParameters(parameters)
    }

    func start(context: any StrategyContext) {
        context.log(.info, "grid started", ["symbol": parameters.symbol, "levels": String(parameters.levels)])
        layOutIfNeeded(book: context.book(parameters.symbol), context: context)
    }

    func stop(context: any StrategyContext) {
        orders = [:]
        refused = []
    }

    func onTimer(id: String, context: any StrategyContext) {
        guard id == Self.retryTimer else { return }
        retryArmed = false
        let again = refused
        refused = []
        for r in again { place(r.level.side, price: r.level.price, amount: r.amount, context: context) }
    }

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        guard StrategyParameters.sameSymbol(symbol, parameters.symbol) else { return }
        layOutIfNeeded(book: book, context: context)
    }

    func onOrderUpdate(_ update: OrderUpdate, context: any StrategyContext) {
        let id = update.order.clientOrderID
        guard update.isTerminal, let level = orders.removeValue(forKey: id) else { return }
        guard case .filled = update.kind, let step = stepPrice else { return }
        let side = level.side.opposite
        guard let price = side == .sell ? level.price.addingReportingOverflow(step) : level.price.subtractingReportingOverflow(step),
              price.isPositive else { return }
        let amount = update.order.executedAmount.isPositive ? update.order.executedAmount : parameters.size
        place(side, price: price, amount: amount, context: context)
    }

    func reconfigure(parameters: StrategyParameters) throws {
        let new = try GridParameters(parameters)
        var layout = new, old = self.parameters
        layout.size = .zero
        old.size = .zero
        if layout != old { needsLayout = true }
        self.parameters = new
    }

    /// The open grid orders by client order id (for tests and diagnostics).
    var levels: [(id: String, side: Side, price: ExactDecimal)] {
        orders.map { ($0.key, $0.value.side, $0.value.price) }.sorted { $0.price < $1.price }
    }

    private func layOutIfNeeded(book: BookView?, context: any StrategyContext) {
        guard needsLayout, let reference = parameters.reference ?? book?.mid else { return }
        for id in orders.keys.sorted() { context.cancel(clientOrderID: id) }
        orders = [:]
        refused = []
        guard let step = parameters.stepPrice(reference: reference) else {
            needsLayout = false
            return context.log(.error, "grid not laid out: step too large to compute", ["reference": "\(reference)"])
        }
        stepPrice = step
        for k in 1...parameters.levels {
            guard let offset = step.multipliedReportingOverflow(by: ExactDecimal(k)) else { break }
            if let buy = reference.subtractingReportingOverflow(offset), buy > .zero {
                place(.buy, price: buy, amount: parameters.size, context: context)
            }
            if let sell = reference.addingReportingOverflow(offset) {
                place(.sell, price: sell, amount: parameters.size, context: context)
            }
        }
        needsLayout = false
        context.log(.info, "grid laid out", ["reference": "\(reference)", "step": "\(step)"])
    }

    private func place(_ side: Side, price: ExactDecimal, amount: ExactDecimal, context: any StrategyContext) {
        switch context.place(symbol: parameters.symbol, side: side, price: price, amount: amount, options: .makerOrCancel) {
        case .placed(let id, _, _):
            orders[id] = Level(side: side, price: price)
        case .refused(let why):
            context.log(.warning, "grid order refused", ["side": side.rawValue, "price": "\(price)", "reason": "\(why)"])
            refused.append((Level(side: side, price: price), amount))
            if !retryArmed {
                retryArmed = true
                context.setTimer(id: Self.retryTimer, after: Self.retryAfterRefusalMs)
            }
        }
    }
}
