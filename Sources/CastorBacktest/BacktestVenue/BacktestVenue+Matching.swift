import CastorCore
import CastorFeeds
import CastorTrading
import GeminiProtocol
import MarketData

/// The fill model (README, Backtesting):
/// - An order is live `latencyMs` after it was sent. If it crosses the book then (a buy at
///   or above the best ask, a sell at or below the best bid) it takes liquidity, level by
///   level at the levels' prices, up to its size and its limit, paying the taker fee; a
///   maker-or-cancel order is cancelled instead, a fill-or-kill one unless the levels hold
///   its whole size, an immediate-or-cancel one after taking what is there. The rest rests.
/// - A resting order's queue position is the quantity displayed at its price when it went
///   live (0 at a new level). Trades printed at its price consume the queue ahead first,
///   then fill it (maker fee); the queue ahead never exceeds what the level displays (a
///   level that shrinks takes the queue with it, as if those ahead cancelled first).
/// - A trade strictly through its price, or the opposite side of the book moving strictly
///   through it, fills it fully at its own price (maker).
/// - Our orders are not in the book others see: no market impact, and liquidity we take is
///   still displayed (and takeable again) until the recording removes it.
extension BacktestVenue {
    /// An order's latency has passed: it meets the book as it stands now.
    func goLive(_ id: VenueOrderID, completion: @Sendable (Result<OrderSnapshot, VenueFailure>) -> Void) {
        guard var o = others[id] else { return completion(.failure(Self.notFound)) }
        let now = clock.nowMs()
        var events = [o.report(.accepted, at: now)]
        if o.phase != .inFlight { // cancelled before it went live
            others[id] = o
            completion(.success(o.snapshot(at: now)))
            return publish(events + [o.report(.cancelled, at: now), o.report(.closed, at: now)])
        }
        o.phase = .resting
        let index = books?.index(of: o.symbol)
        let book = index.flatMap { books?.book($0) }
        o.book = index
        if let book, crosses(o, book) {
            switch o.option {
            case .makerOrCancel?:
                o.phase = .cancelled(VenueReason("MakerOrCancelWouldTake"))
            case .fillOrKill? where takeable(o, book) < o.amount:
                o.phase = .cancelled(VenueReason("FillOrKillWouldNotFill"))
            default:
                for (price, quantity) in levelsCrossed(by: o, book) where o.remaining > .zero {
                    events.append(execute(&o, min(quantity, o.remaining), at: price, maker: false, now: now))
                }
            }
        }
        if o.phase == .resting, o.remaining > .zero, o.option == .immediateOrCancel || o.option == .fillOrKill {
            o.phase = .cancelled(VenueReason("ImmediateOrCancelWouldPost"))
        }
        switch o.phase {
        case .resting:
            o.queueAhead = book?.quantity(at: o.price, on: o.side) ?? .zero
            others[id] = nil
            resting.append(o)
            events.append(o.report(.booked, at: now))
        case .cancelled:
            counters.unfilledImmediate += 1
            others[id] = o
            events += [o.report(.cancelled, at: now), o.report(.closed, at: now)]
        case .filled, .inFlight:
            others[id] = o
            events.append(o.report(.closed, at: now))
        }
        completion(.success(o.snapshot(at: now)))
        publish(events)
    }

    /// The recorded market moved: `trades` printed (all symbols), and the book at `book`
    /// changed (nil: no book change, or a crossed book). Fills resting orders.
    func marketMoved(book index: BookIndex?, trades: [MarketDataV2Trade]) {
        guard !resting.isEmpty, let books else { return }
        let now = clock.nowMs()
        var events: [OrderReport] = []
        for trade in trades where !trade.fromSnapshot {
            let tradeBook = BookIndex(gemini: trade.symbol)
            var budget = trade.quantity
            for i in resting.indices where resting[i].book == tradeBook && resting[i].phase == .resting {
                let price = resting[i].price
                let through = resting[i].side == .buy ? trade.price < price : trade.price > price
                if through {
                    events.append(execute(&resting[i], resting[i].remaining, at: price, maker: true, now: now))
                } else if trade.price == price {
                    let ahead = min(resting[i].queueAhead, trade.quantity)
                    resting[i].queueAhead -= ahead
                    let quantity = min(trade.quantity - ahead, budget, resting[i].remaining)
                    if quantity > .zero {
                        budget -= quantity
                        events.append(execute(&resting[i], quantity, at: price, maker: true, now: now))
                    }
                }
            }
        }
        if let index, resting.contains(where: { $0.book == index }), let book = books.book(index) {
            let bestBid = book.bestBid?.price, bestAsk = book.bestAsk?.price
            for i in resting.indices where resting[i].book == index && resting[i].phase == .resting {
                let price = resting[i].price
                let through = resting[i].side == .buy ? bestAsk.map { $0 < price } ?? false : bestBid.map { $0 > price } ?? false
                if through {
                    events.append(execute(&resting[i], resting[i].remaining, at: price, maker: true, now: now))
                } else if resting[i].queueAhead > .zero {
                    resting[i].queueAhead = min(resting[i].queueAhead, book.quantity(at: price, on: resting[i].side))
                }
            }
        }
        guard !events.isEmpty else { return }
        for o in resting where o.phase != .resting { others[o.orderID] = o }
        resting.removeAll { $0.phase != .resting }
        publish(events)
    }

    /// A buy at or above the best ask, a sell at or below the best bid.
    private func crosses(_ o: SimulatedOrder, _ book: L2OrderBook) -> Bool {
        o.side == .buy ? book.bestAsk.map { $0.price <= o.price } ?? false : book.bestBid.map { $0.price >= o.price } ?? false
    }

    /// The opposite side's levels within `o`'s limit, best first, as far as its size reaches.
    private func levelsCrossed(by o: SimulatedOrder, _ book: L2OrderBook) -> [(ExactDecimal, ExactDecimal)] {
        var levels: [(ExactDecimal, ExactDecimal)] = []
        var total = ExactDecimal.zero
        let visit: (L2Level) -> Void = { level in
            guard total < o.amount else { return }
            guard o.side == .buy ? level.price <= o.price : level.price >= o.price else { total = o.amount; return }
            levels.append((level.price, level.quantity))
            total += level.quantity
        }
        if o.side == .buy { book.forEachTopAsk(book.askCount, visit) } else { book.forEachTopBid(book.bidCount, visit) }
        return levels
    }

    /// How much of the opposite side lies within `o`'s limit (for fill-or-kill).
    private func takeable(_ o: SimulatedOrder, _ book: L2OrderBook) -> ExactDecimal {
        levelsCrossed(by: o, book).reduce(.zero) { $0 + $1.1 }
    }

    /// One execution of `o`: the trade, its fee, the counters; the fill event to publish.
    private func execute(_ o: inout SimulatedOrder, _ quantity: ExactDecimal, at price: ExactDecimal, maker: Bool,
                         now: Int64) -> OrderReport {
        nextTradeID += 1
        let quote = BacktestVenueSettings.currencies(of: o.symbol).quote
        let notional = quantity.multipliedReportingOverflow(by: price) ?? .zero
        let fee = BacktestVenueSettings.fee(notional, bps: maker ? settings.makerFeeBps : settings.takerFeeBps) ?? .zero
        let trade = TradeReport(tradeID: nextTradeID, orderID: o.orderID, clientOrderID: o.clientOrderID, symbol: o.symbol,
                                side: o.side, price: price, amount: quantity, fee: fee, feeCurrency: quote,
                                isTaker: !maker, timestampMs: now)
        o.executed += quantity
        if o.executed >= o.amount { o.phase = .filled }
        o.trades.append(trade)
        tradeLog.append(trade)
        counters.fills += 1
        if maker { counters.makerFills += 1 } else { counters.takerFills += 1 }
        pnl[o.symbol, default: SymbolPnL()].record(side: o.side, amount: quantity, price: price, fee: fee, feeCurrency: quote, feeIsQuote: true)
        onFill?(trade)
        let execution = OrderReport.Execution(tradeID: String(trade.tradeID), price: price, amount: quantity, fee: fee,
                                              feeCurrency: quote, isMaker: maker)
        return o.report(.fill, at: now, execution: execution)
    }
}
