import CastorCore
import CastorStrategy

/// `market-maker`: one maker-or-cancel bid and ask around mid, skewed against inventory.
///
/// Quotes are `centre × (1 ∓ spread_bps / 2 / 10000)` with
/// `centre = mid × (1 − skew_bps_per_unit × position / 10000)`, so a long position lowers
/// both quotes (selling becomes likelier, buying less). With `max_position`, the bid is
/// withdrawn at `position ≥ max_position` and the ask at `position ≤ −max_position`.
///
/// Requoting is deliberately lazy, because every requote is two REST calls against a
/// rate limit: only when mid moved more than `requote_bps` from the mid the quotes were
/// computed from, after one of our orders (partly) filled (immediately on its order
/// update: the position changed), or after one closed otherwise (at the next book event,
/// so a maker-or-cancel rejection on a crossed book does not spin). A quote the engine
/// refused (a risk limit, no mid at the engine yet) is tried again `retryAfterRefusalMs`
/// later, whether or not the mid moved; at most once per that interval, so a limit that
/// holds does not turn every book event into two refusals.
final class MarketMaker: Strategy {
    private(set) var parameters: MarketMakerParameters
    private var bidID: String?
    private var askID: String?
    private var quotedMid: ExactDecimal?
    private var needsRequote = true
    /// The retry timer after a refusal is armed.
    private var retryArmed = false
    static let retryAfterRefusalMs: Int64 = 1_000
    static let retryTimer = "market-maker.retry"

    init(parameters: StrategyParameters) throws {
        self.parameters = try MarketMakerParameters(parameters)
    }

    func start(context: any StrategyContext) {
        context.log(.info, "market-maker started", ["symbol": parameters.symbol])
        if let book = context.book(parameters.symbol) { requote(book: book, context: context) }
    }

    func stop(context: any StrategyContext) {
        bidID = nil
        askID = nil
    }

    func onTimer(id: String, context: any StrategyContext) {
        guard id == Self.retryTimer else { return }
        retryArmed = false
        needsRequote = true
        if let book = context.book(parameters.symbol) { requote(book: book, context: context) }
    }

    func onBook(symbol: String, book: BookView, context: any StrategyContext) {
        guard StrategyParameters.sameSymbol(symbol, parameters.symbol), let mid = book.mid else { return }
        if needsRequote || quotedMid.map({ DecimalMath.movedMoreThan(mid, from: $0, bps: parameters.requoteBps) }) ?? true {
            requote(book: book, context: context)
        }
    }

    func onFill(_ fill: Fill, context: any StrategyContext) {
        // The order update that follows says whether the order is still live; requote there.
        if fill.clientOrderID == bidID || fill.clientOrderID == askID { needsRequote = true }
    }

    func onOrderUpdate(_ update: OrderUpdate, context: any StrategyContext) {
        let id = update.order.clientOrderID
        guard id == bidID || id == askID else { return }
        if update.isTerminal {
            if id == bidID { bidID = nil }
            if id == askID { askID = nil }
            needsRequote = true
        }
        switch update.kind {
        case .filled, .partiallyFilled:
            // The position changed: requote now rather than wait for the book to move.
            if let book = context.book(parameters.symbol) { requote(book: book, context: context) }
        default:
            break
        }
    }

    func reconfigure(parameters: StrategyParameters) throws {
        let new = try MarketMakerParameters(parameters)
        if new != self.parameters { needsRequote = true }
        self.parameters = new
    }

    func adopt(openOrders: [OrderView]) -> [String] {
        // Adopt at most one order per side on our symbol; the next requote reprices them.
        var rejected: [String] = []
        for o in openOrders {
            let ours = StrategyParameters.sameSymbol(o.symbol, parameters.symbol)
            if ours, o.side == .buy, bidID == nil { bidID = o.clientOrderID }
            else if ours, o.side == .sell, askID == nil { askID = o.clientOrderID }
            else { rejected.append(o.clientOrderID) }
        }
        needsRequote = true
        return rejected
    }

    /// The bid and ask prices for `mid` at `position` (nil for a side not to quote).
    func quotes(mid: ExactDecimal, position: ExactDecimal) -> (bid: ExactDecimal?, ask: ExactDecimal?) {
        let p = parameters
        // nil anywhere (a mid or position too large or too finely scaled to compute with):
        // no quote on that side, and the existing one is withdrawn.
        let skew = DecimalMath.bps(p.skewBpsPerUnit).flatMap { DecimalMath.product($0, position) }?.negatedReportingOverflow
        guard let skew, let centre = DecimalMath.scaled(mid, by: skew),
              let half = DecimalMath.product(DecimalMath.bps(p.spreadBps), ExactDecimal(mantissa: 5, scale: 1)),
              let minusHalf = half.negatedReportingOverflow else { return (nil, nil) }
        var bid: ExactDecimal? = DecimalMath.scaled(centre, by: minusHalf)
        var ask: ExactDecimal? = DecimalMath.scaled(centre, by: half)
        if let max = p.maxPosition {
            if position >= max { bid = nil }
            if position <= -max { ask = nil }
        }
        return (bid, ask)
    }

    private func requote(book: BookView, context: any StrategyContext) {
        guard let mid = book.mid else { needsRequote = true; return }
        let (bid, ask) = quotes(mid: mid, position: context.position(symbol: parameters.symbol))
        var refused = false
        bidID = place(.buy, price: bid, existing: bidID, context: context, refused: &refused)
        askID = place(.sell, price: ask, existing: askID, context: context, refused: &refused)
        quotedMid = mid
        needsRequote = false
        // A refused side is tried again later even if the mid never moves by requote_bps:
        // an unmoved market would otherwise stay unquoted for good.
        if refused, !retryArmed {
            retryArmed = true
            context.setTimer(id: Self.retryTimer, after: Self.retryAfterRefusalMs)
        }
    }

    /// Replaces, places or withdraws one side's quote; returns the id now quoting it and
    /// sets `refused` when the engine refused the quote.
    private func place(_ side: Side, price: ExactDecimal?, existing: String?, context: any StrategyContext,
                       refused: inout Bool) -> String? {
        guard let price else {
            if let existing { context.cancel(clientOrderID: existing) }
            return nil
        }
        let result = if let existing {
            context.replace(clientOrderID: existing, price: price, amount: parameters.size)
        } else {
            context.place(symbol: parameters.symbol, side: side, price: price, amount: parameters.size, options: .makerOrCancel)
        }
        switch result {
        case .placed(let id, _, _):
            return id
        case .refused(let why):
            context.log(.warning, "market-maker quote refused", ["side": side.rawValue, "reason": "\(why)"])
            refused = true
            return nil
        }
    }
}
