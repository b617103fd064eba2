import CastorCore

extension SimEngine {
    /// Runs an accepted (or just-triggered) order against the opposite side.
    ///
    /// Self-trade prevention: when the next resting order to match belongs to the same
    /// account, the incoming order's remainder is cancelled (`SelfCrossPrevented`); fills
    /// it already made against other accounts stand, and the resting order is untouched.
    func match(_ order: SimOrderRecord) {
        let book = books[order.symbolIndex]
        let opposite = order.side.opposite
        switch order.option {
        case "maker-or-cancel":
            if let best = book.best(opposite), order.crosses(best.price) {
                cancel(order, reason: "MakerOrCancelWouldTake", command: nil)
                return
            }
        case "fill-or-kill":
            if fillable(order, in: book) < order.remaining {
                cancel(order, reason: "FillOrKillWouldNotFill", command: nil)
                return
            }
        default:
            break
        }
        while order.remaining.isPositive, let level = book.best(opposite), order.crosses(level.price) {
            let maker = level.front
            if maker.accountId == order.accountId {
                cancel(order, reason: "SelfCrossPrevented", command: nil)
                return
            }
            let quantity = min(order.remaining, maker.remaining)
            execute(taker: order, maker: maker, price: level.price, quantity: quantity)
            book.consumeBest(opposite, quantity: quantity)
            markDirty(maker.symbolIndex, opposite, level.price)
            if maker.remaining.isZero { close(maker) }
        }
        if order.remaining.isZero {
            close(order)
        } else if order.option == "immediate-or-cancel" {
            cancel(order, reason: "ImmediateOrCancelWouldPost", command: nil)
        } else {
            book.add(order)
            markDirty(order.symbolIndex, order.side, order.price)
            emit(.booked, order)
        }
    }

    /// How much of `order` could fill right now, stopping at the first resting order of its
    /// own account (self-trade prevention would cancel there).
    func fillable(_ order: SimOrderRecord, in book: SimOrderBook) -> ExactDecimal {
        var sum = ExactDecimal.zero
        for level in book.levels(order.side.opposite).reversed() {
            guard order.crosses(level.price) else { break }
            for resting in level.orders[level.head...] {
                if resting.accountId == order.accountId { return sum }
                sum += resting.remaining
                if sum >= order.remaining { return sum }
            }
        }
        return sum
    }

    /// One execution at the maker's price: moves funds, charges fees, records both sides'
    /// fills, emits their `fill` events and the public trade.
    func execute(taker: SimOrderRecord, maker: SimOrderRecord, price: ExactDecimal, quantity: ExactDecimal) {
        let tid = nextId()
        let sym = symbols[taker.symbolIndex]
        for (order, aggressor) in [(taker, true), (maker, false)] {
            let ai = Int(order.accountId - 1)
            let notional = price * quantity
            let bps = aggressor ? accounts[ai].takerFeeBps : accounts[ai].makerFeeBps
            let fee = notional * ExactDecimal.basisPoints(bps)
            let before = order.held
            order.executed += quantity
            order.notional += notional
            order.held = order.holdNeeded(for: order.remaining)
            accounts[ai].adjust(order.holdCurrency, held: order.held - before)
            if order.side == .buy {
                accounts[ai].adjust(sym.quote, total: -(notional + fee))
                accounts[ai].adjust(sym.base, total: quantity)
            } else {
                accounts[ai].adjust(sym.base, total: -quantity)
                accounts[ai].adjust(sym.quote, total: notional - fee)
            }
            accounts[ai].notionalVolume += notional
            accounts[ai].lastTradeMs = now
            let trade = SimTrade(tid: tid, accountId: order.accountId, orderId: order.id,
                                 clientOrderId: order.clientOrderId, symbol: sym.symbol, side: order.side,
                                 aggressor: aggressor, price: price, amount: quantity, feeAmount: fee,
                                 feeCurrency: sym.quote, timestampms: now)
            if accounts[ai].keepsHistory {
                order.trades.append(trade)
                accountTrades[ai].append(trade)
            }
            order.isLive = order.remaining.isPositive
            let info = SimFillInfo(tradeId: tid, liquidity: trade.liquidity, price: price, amount: quantity,
                                   fee: fee, feeCurrency: sym.quote)
            emit(.fill, order, fill: info)
        }
        let print = SimPublicTrade(symbol: sym.symbol, tid: tid, price: price, quantity: quantity,
                                   takerSide: taker.side, timestampms: now)
        marketEvents.append(.trade(print))
        recentTrades[taker.symbolIndex].append(print)
        if recentTrades[taker.symbolIndex].count > recentTradeLimit * 2 {
            recentTrades[taker.symbolIndex].removeFirst(recentTradeLimit)
        }
        lastTradePrice[sym.symbol] = price
        pendingStopChecks.append((taker.symbolIndex, price))
    }

    /// Takes a live order off the book (or the stop list), releases its hold and emits
    /// `cancelled` then `closed`.
    func cancel(_ order: SimOrderRecord, reason: String, command: Int64?) {
        if order.onBook {
            books[order.symbolIndex].remove(order)
            markDirty(order.symbolIndex, order.side, order.price)
        }
        if order.waitingForStop {
            stops[order.symbolIndex].removeAll { $0 === order }
            order.waitingForStop = false
        }
        order.isLive = false
        order.isCancelled = true
        order.reason = reason
        emit(.cancelled, order, reason: reason, command: command)
        finish(order)
    }

    /// A fully filled order: emits `closed` and forgets it as live.
    func close(_ order: SimOrderRecord) {
        order.isLive = false
        finish(order)
    }

    private func finish(_ order: SimOrderRecord) {
        let ai = Int(order.accountId - 1)
        if order.held.isPositive {
            accounts[ai].adjust(order.holdCurrency, held: -order.held)
            order.held = .zero
        }
        emit(.closed, order)
        liveOrders[ai][order.id] = nil
        if !accounts[ai].keepsHistory {
            orders[order.id] = nil
            if let cid = order.clientOrderId {
                let key = ClientKey(account: order.accountId, clientOrderId: cid)
                clientOrderIds[key]?.removeAll { $0 == order.id }
                if clientOrderIds[key]?.isEmpty == true { clientOrderIds[key] = nil }
            }
        }
    }

    /// Triggers stop-limit orders whose stop a trade printed at or through (buy: trade ≥
    /// stop; sell: trade ≤ stop), oldest first. A triggered order matches as a plain limit
    /// order, and its own trades can trigger further stops.
    func runStops() {
        var i = 0
        while i < pendingStopChecks.count {
            let (si, price) = pendingStopChecks[i]
            i += 1
            while let order = stops[si].first(where: { stop in
                stop.side == .buy ? price >= stop.stopPrice! : price <= stop.stopPrice!
            }) {
                stops[si].removeAll { $0 === order }
                order.waitingForStop = false
                match(order)
            }
        }
        pendingStopChecks.removeAll(keepingCapacity: true)
    }

    func emit(_ type: SimOrderEventType, _ order: SimOrderRecord, fill: SimFillInfo? = nil,
              reason: String? = nil, command: Int64? = nil) {
        orderEvents.append(SimOrderEvent(eventId: nextId(), accountId: order.accountId, type: type,
                                         order: order.snapshot(), fill: fill, reason: reason,
                                         cancelCommandId: command, timestampms: now))
    }

    func markDirty(_ symbol: Int, _ side: Side, _ price: ExactDecimal) {
        let key = LevelKey(symbol: symbol, side: side, price: price)
        if dirtySet.insert(key).inserted { dirtyLevels.append(key) }
    }

    /// Publishes each level touched by the call once, with its total after the call, and
    /// only when that total differs from what was last published.
    func flushLevels() {
        for key in dirtyLevels {
            let total = books[key.symbol].total(key.side, at: key.price)
            let last = publishedLevels[key] ?? .zero
            guard total != last else { continue }
            if total.isZero { publishedLevels[key] = nil } else { publishedLevels[key] = total }
            marketEvents.append(.level(SimLevelChange(symbol: symbols[key.symbol].symbol, side: key.side,
                                                      price: key.price, quantity: total)))
        }
        dirtyLevels.removeAll(keepingCapacity: true)
        dirtySet.removeAll(keepingCapacity: true)
    }
}
