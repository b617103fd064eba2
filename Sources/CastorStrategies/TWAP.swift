import CastorCore
import CastorStrategy

/// `twap`: executes `target_amount` on `side` over `duration` in `slices` equal slices.
///
/// At each slice boundary the schedule says how much should be done by the end of that
/// slice (`target × (slice + 1) / slices`, rounded down to the quantity step, the last
/// slice exactly the target). The working order, if any, is replaced by one for the
/// shortfall, so an unfilled slice rolls into the next instead of piling up orders.
/// Prices: at our own touch (best bid for a buy) by default, or with `max_slippage_bps`
/// at `mid × (1 ± max_slippage_bps / 10000)`, which crosses the spread when it is narrow
/// enough. After the last slice it keeps repricing every interval until the target is
/// executed, then cancels its timer and reports completion. A shortfall below the
/// symbol's minimum order size cannot be placed and ends the run with a warning.
final class TWAP: Strategy {
    static let timerID = "twap.slice"

    private(set) var parameters: TWAPParameters
    private(set) var executed: ExactDecimal = .zero
    private(set) var isDone = false
    private var startMs: Int64?
    private var slice = 0
    private var workingID: String?
    private var ourIDs: Set<String> = []

    init(parameters: StrategyParameters) throws {
        self.parameters = try TWAPParameters(parameters)
    }

    func start(context: any StrategyContext) {
        startMs = context.now
        context.log(.info, "twap started", [
            "symbol": parameters.symbol, "side": parameters.side.rawValue,
            "target": "\(parameters.targetAmount)", "slices": String(parameters.slices),
        ])
        runSlice(context: context)
    }

    func stop(context: any StrategyContext) {
        context.cancelTimer(id: TWAP.timerID)
        workingID = nil
    }

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {}

    func onTimer(id: String, context: any StrategyContext) {
        guard id == TWAP.timerID, !isDone else { return }
        slice += 1
        runSlice(context: context)
    }

    func onFill(_ fill: Fill, context: any StrategyContext) {
        guard ourIDs.contains(fill.clientOrderID), !isDone else { return }
        executed += fill.amount
        if executed >= parameters.targetAmount { finish(context: context, note: "target executed") }
    }

    func onOrderUpdate(_ update: OrderUpdate, context: any StrategyContext) {
        if update.isTerminal, update.order.clientOrderID == workingID { workingID = nil }
    }

    func reconfigure(parameters: StrategyParameters) throws {
        // The schedule is anchored at start; a new target, duration or slice count applies
        // from the next slice boundary.
        self.parameters = try TWAPParameters(parameters)
    }

    /// The amount that should be executed by the end of slice `index`.
    func scheduled(through index: Int, quantityStep: ExactDecimal) -> ExactDecimal {
        if index + 1 >= parameters.slices { return parameters.targetAmount }
        guard let total = parameters.targetAmount.multipliedReportingOverflow(by: ExactDecimal(index + 1)) else { return .zero }
        return DecimalMath.divideDown(total, by: parameters.slices, step: quantityStep)
    }

    private func runSlice(context: any StrategyContext) {
        let p = parameters
        context.setTimer(id: TWAP.timerID, after: p.intervalMs)
        guard let info = context.symbol(p.symbol) else {
            context.log(.error, "twap: unknown symbol", ["symbol": p.symbol])
            return
        }
        let shortfall = scheduled(through: slice, quantityStep: info.quantityStep) - executed
        let finalSlice = slice + 1 >= p.slices
        guard shortfall.isPositive else { return }
        if shortfall < info.minOrderSize {
            // Mid-schedule the shortfall just accumulates; at the end it never will.
            if finalSlice { finish(context: context, note: "remaining \(shortfall) is below the minimum order size \(info.minOrderSize)") }
            return
        }
        guard let price = limitPrice(book: context.book(p.symbol)) else {
            context.log(.warning, "twap: no book to price the slice", ["symbol": p.symbol])
            return
        }
        let result = if let workingID {
            context.replace(clientOrderID: workingID, price: price, amount: shortfall)
        } else {
            context.place(symbol: p.symbol, side: p.side, price: price, amount: shortfall, options: nil)
        }
        switch result {
        case .placed(let id, _, _):
            workingID = id
            ourIDs.insert(id)
        case .refused(let why):
            workingID = nil
            context.log(.warning, "twap slice refused", ["slice": String(slice), "reason": "\(why)"])
        }
    }

    private func limitPrice(book: BookView?) -> ExactDecimal? {
        guard let book else { return nil }
        if let slip = parameters.maxSlippageBps {
            guard let mid = book.mid else { return nil }
            let f = DecimalMath.bps(slip)
            return DecimalMath.scaled(mid, by: parameters.side == .buy ? f : -f)  // nil: no slice this time
        }
        return parameters.side == .buy ? book.bestBid?.price : book.bestAsk?.price
    }

    private func finish(context: any StrategyContext, note: String) {
        isDone = true
        context.cancelTimer(id: TWAP.timerID)
        if let workingID { context.cancel(clientOrderID: workingID) }
        workingID = nil
        context.log(.notice, "twap complete", ["executed": "\(executed)", "target": "\(parameters.targetAmount)", "note": note])
    }
}
