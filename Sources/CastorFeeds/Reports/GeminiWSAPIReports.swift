import CastorCore
import CastorTrading
import GeminiProtocol

// The new WebSocket API's order events as the domain reports (WS-API.md §3.7). The
// docs leave several readings open (§7); each is handled here, once:
// - `Z` is the last fill's quantity on FILLED / PARTIALLY_FILLED and the cumulative
//   executed quantity on CANCELED and others. The cumulative figure reported is `q − z`
//   whenever both are present (true under either reading), else `Z` where it is
//   cumulative; the engine cross-checks it against the fills its ledger holds and
//   reconciles over REST when fills are missing (a terminal state then waits for them).
// - A fully filled IOC may end CANCELED with `Z == q`: a cancellation with everything
//   executed; the lifecycle sees `executed == original` and the fills arrive by trade id.
// - A REJECTED event may or may not follow a `-2010` reply: either way it is `.rejected`.
// - Symbols come in either case: upper-cased.
// - The fee `n` is taken in the symbol's quote currency (what hummingbot and fastmm book;
//   REST `/v1/mytrades`, which reconciliation reads, names the currency exactly).

extension OrderReport {
    /// The reports one `orderUpdate` stands for (a fill that ends the order also closes it).
    public static func reports(wsapi u: WSAPIOrderUpdate) -> [OrderReport] {
        let orderID = VenueOrderID(u.orderID)
        let symbol = Symbol(rawValue: u.symbol)
        let timestampMs = (u.updateTimeNs ?? u.eventTimeNs).map(WSAPIMarketDecoder.milliseconds)
        let reason = u.reason.map { VenueReason($0) }
        func report(_ kind: Kind, executed: ExactDecimal?, isLive: Bool, isCancelled: Bool,
                    execution: Execution? = nil) -> OrderReport {
            OrderReport(kind: kind, orderID: orderID, clientOrderID: u.clientOrderID, symbol: symbol, side: u.side,
                        price: u.price, originalAmount: u.quantity, executedAmount: executed,
                        remainingAmount: u.remaining, isLive: isLive, isCancelled: isCancelled, reason: reason,
                        timestampMs: timestampMs, execution: execution)
        }
        let cumulative = u.executedFromRemaining
        switch u.status {
        case .new:
            // Acknowledged and working, as the legacy feed's `accepted` then `booked`.
            return [report(.accepted, executed: cumulative, isLive: true, isCancelled: false),
                    report(.booked, executed: cumulative, isLive: true, isCancelled: false)]
        case .open, .modified:
            return [report(.booked, executed: cumulative, isLive: true, isCancelled: false)]
        case .partiallyFilled, .filled:
            let done = u.status == .filled
            var out: [OrderReport] = []
            if let tradeID = u.tradeID, let amount = u.executedField, amount.isPositive {
                let execution = Execution(tradeID: String(tradeID), price: u.lastPrice ?? u.price ?? .zero, amount: amount,
                                          fee: u.fee ?? .zero, feeCurrency: quoteCurrency(of: symbol),
                                          isMaker: u.isMaker)
                out.append(report(.fill, executed: cumulative, isLive: !done, isCancelled: false, execution: execution))
            }
            if done {
                // FILLED: done whatever was missed; the cumulative figure (or, lacking q/z,
                // the original quantity) tells the lifecycle how much the fills must add up to.
                out.append(report(.closed, executed: cumulative ?? u.quantity, isLive: false, isCancelled: false))
            }
            return out
        case .canceled:
            let executed = cumulative ?? u.executedField ?? .zero
            return [report(.cancelled, executed: executed, isLive: false, isCancelled: true),
                    report(.closed, executed: executed, isLive: false, isCancelled: true)]
        case .rejected:
            return [report(.rejected, executed: nil, isLive: false, isCancelled: false)]
        case .unknown(let raw):
            return [report(.unknown(raw), executed: cumulative, isLive: true, isCancelled: false)]
        }
    }

    /// The quote currency of a Gemini symbol from its name (`BTCUSD` → `USD`,
    /// `ETHGUSDPERP` → `GUSD`); nil when no known quote ends it.
    static func quoteCurrency(of symbol: Symbol) -> String? {
        var name = Substring(symbol.rawValue)
        if name.hasSuffix("PERP") { name = name.dropLast(4) }
        for quote in ["RLUSD", "GUSD", "USDT", "USDC", "USD", "EUR", "GBP", "SGD", "AUD", "CAD", "BTC", "ETH", "DAI"]
        where name.hasSuffix(quote) && name.count > quote.count {
            return quote
        }
        return nil
    }
}

extension OrderSnapshot {
    /// The order as one `orderUpdate` shows it, completed from what was sent (`placed`):
    /// the answer to a placement or cancel made over the socket.
    public init(wsapi u: WSAPIOrderUpdate, placed: WSAPIOrderParameters?) {
        let state: State = switch u.status {
        case .filled: .filled
        case .canceled, .rejected: .cancelled
        case .new, .open, .partiallyFilled, .modified, .unknown: .open
        }
        let executed = u.executedFromRemaining ?? (u.status == .canceled ? u.executedField : nil)
        var options: [String] = []
        switch placed?.timeInForce {
        case .makerOrCancel: options = [OrderOption.makerOrCancel.rawValue]
        case .immediateOrCancel: options = [OrderOption.immediateOrCancel.rawValue]
        case .fillOrKill: options = [OrderOption.fillOrKill.rawValue]
        case .goodTillCancel, nil: break
        }
        self.init(orderID: VenueOrderID(u.orderID), clientOrderID: u.clientOrderID ?? placed?.clientOrderID,
                  symbol: Symbol(rawValue: u.symbol), side: u.side ?? placed?.side ?? .buy,
                  price: u.price ?? placed?.price, originalAmount: u.quantity ?? placed?.quantity,
                  executedAmount: executed, remainingAmount: u.remaining, options: options, state: state,
                  reason: u.reason.map { VenueReason($0) },
                  timestampMs: (u.updateTimeNs ?? u.eventTimeNs).map(WSAPIMarketDecoder.milliseconds))
    }
}
