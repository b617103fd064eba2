import CastorCore

extension SimEngine {
    /// The order types the simulator accepts, as Gemini spells them.
    public static let orderTypes = ["exchange limit", "exchange stop limit"]
    /// The options the simulator accepts (at most one per order).
    public static let orderOptions = ["maker-or-cancel", "immediate-or-cancel", "fill-or-kill"]

    /// `POST /v1/order/new`.
    ///
    /// Validates like Gemini (see `validate`), reserves funds, then matches: the returned
    /// snapshot is the order right after entry (partially filled and live, fully filled, or
    /// already cancelled for an option or self-trade prevention — those are 200 responses
    /// on Gemini too). A refusal throws and emits a single `rejected` event.
    ///
    /// - Parameter session: the API key placing the order (its `api_session`).
    @discardableResult
    public func placeOrder(_ request: SimOrderRequest, account: Int64, session: String) throws(SimError) -> SimOrderSnapshot {
        now = clock()
        guard let ai = index(of: account) else {
            throw SimError(reason: "InvalidAccountName", message: "Account \(account) does not exist")
        }
        let order: SimOrderRecord
        do {
            order = try validate(request, accountIndex: ai, session: session)
        } catch {
            emitRejected(request, account: account, session: session, error: error)
            throw error
        }
        orders[order.id] = order
        liveOrders[ai][order.id] = order
        if accounts[ai].keepsHistory { accountOrderIds[ai].append(order.id) }
        if let cid = order.clientOrderId { clientOrderIds[ClientKey(account: account, clientOrderId: cid), default: []].append(order.id) }
        order.held = order.holdNeeded(for: order.original)
        accounts[ai].adjust(order.holdCurrency, held: order.held)
        emit(.accepted, order)
        if order.waitingForStop {
            stops[order.symbolIndex].append(order)
        } else {
            match(order)
            runStops()
        }
        flushLevels()
        return order.snapshot()
    }

    /// Checks a request in Gemini's order and builds the (not yet recorded) order.
    ///
    /// `client_order_id` follows the documented charset `[:\-_\.#a-zA-Z0-9]{1,36}`: longer
    /// than 36 → `ClientOrderIdTooLong`; empty or another character → `InvalidClientOrderId`
    /// (the simulator's own code: Gemini documents no reason for a bad charset).
    func validate(_ r: SimOrderRequest, accountIndex ai: Int, session: String) throws(SimError) -> SimOrderRecord {
        guard SimEngine.orderTypes.contains(r.type) else {
            throw SimError(reason: "InvalidOrderType", message: "Invalid order type: \(r.type)")
        }
        let isStop = r.type == "exchange stop limit"
        guard let si = symbolIndex[r.symbol.uppercased()] else { throw .invalidSymbol(r.symbol) }
        let sym = symbols[si]
        guard let side = Side(rawValue: r.side) else {
            throw SimError(reason: "InvalidSide", message: "Invalid side for symbol \(sym.symbol): \(r.side)")
        }
        if r.options.count > 1 {
            throw SimError(reason: "ConflictingOptions",
                           message: "Only one option is allowed, got \(r.options.joined(separator: ", "))")
        }
        let option = r.options.first
        if let option, !SimEngine.orderOptions.contains(option) {
            throw SimError(reason: "UnsupportedOption", message: "Option \(option) is not supported")
        }
        if isStop, let option {
            throw SimError(reason: "UnsupportedOption", message: "Option \(option) is not supported for stop-limit orders")
        }
        if let cid = r.clientOrderId {
            if cid.utf8.count > 36 {
                throw SimError(reason: "ClientOrderIdTooLong",
                               message: "client_order_id must be at most 36 characters, got \(cid.utf8.count)")
            }
            if cid.isEmpty || !cid.utf8.allSatisfy(SimEngine.isClientIdByte) {
                throw SimError(reason: "InvalidClientOrderId",
                               message: "client_order_id must match [:\\-_\\.#a-zA-Z0-9]{1,36}: \(cid)")
            }
            // The WebSocket API refuses a client order id a live order of the account carries
            // (`DuplicateOrder`, WS-API.md §3.7); REST lets ids repeat, as Gemini's does.
            if r.channel == .websocket,
               (clientOrderIds[ClientKey(account: accounts[ai].id, clientOrderId: cid)] ?? []).contains(where: { orders[$0]?.isLive == true }) {
                throw SimError(reason: "DuplicateOrder", message: "Duplicate client order ID: \(cid) is used by a live order")
            }
        }
        guard let parsedAmount = ExactDecimal(r.amount), parsedAmount.isPositive, parsedAmount.isMultiple(of: sym.tickSize),
              parsedAmount >= sym.minOrderSize, let amount = Self.onGrid(parsedAmount, step: sym.tickSize)
        else { throw .invalidQuantity(sym.symbol, r.amount) }
        guard let parsedPrice = ExactDecimal(r.price), parsedPrice.isPositive, parsedPrice.isMultiple(of: sym.quoteIncrement),
              let price = Self.onGrid(parsedPrice, step: sym.quoteIncrement)
        else {
            // The WebSocket API names an off-tick price apart (WS-API.md §3.7); REST says InvalidPrice.
            if r.channel == .websocket, let p = ExactDecimal(r.price), p.isPositive, !p.isMultiple(of: sym.quoteIncrement) {
                throw SimError(reason: "LimitPriceOffTick",
                               message: "Price \(r.price) is not a multiple of \(sym.symbol)'s price step \(sym.quoteIncrement)")
            }
            throw .invalidPrice(sym.symbol, r.price)
        }
        var stopPrice: ExactDecimal?
        if isStop {
            guard let raw = r.stopPrice, let parsedStop = ExactDecimal(raw), parsedStop.isPositive,
                  parsedStop.isMultiple(of: sym.quoteIncrement), let stop = Self.onGrid(parsedStop, step: sym.quoteIncrement)
            else { throw .invalidStopPrice(sym.symbol, r.stopPrice ?? "") }
            if side == .buy, stop > price {
                throw SimError(reason: "InvalidStopPriceBuy",
                               message: "Stop price \(stop) must be at or below limit price \(price) for a buy")
            }
            if side == .sell, stop < price {
                throw SimError(reason: "InvalidStopPriceSell",
                               message: "Stop price \(stop) must be at or above limit price \(price) for a sell")
            }
            // Within 50 %: |price − stop| ≤ stop / 2, i.e. 2·|price − stop| ≤ stop.
            if (price - stop).magnitude * 2 > stop {
                throw SimError(reason: "InvalidStopPriceRatio",
                               message: "Limit price \(price) must be within 50% of stop price \(stop)")
            }
            stopPrice = stop
        }
        switch sym.status {
        case .open, .limitOnly: break
        case .postOnly where option == "maker-or-cancel": break
        case .postOnly:
            throw SimError(reason: "MarketNotOpen", message: "Market \(sym.symbol) is post-only: only maker-or-cancel orders are accepted")
        case .closed, .cancelOnly:
            throw SimError(reason: "MarketNotOpen", message: "Market \(sym.symbol) is not open (\(sym.status.rawValue))")
        }
        let account = accounts[ai]
        // A hold too large to compute is beyond any balance (balances stay below 10^18).
        let need = SimOrderRecord.holdReportingOverflow(side: side, price: price, quantity: amount, feeBps: account.holdFeeBps)
        let currency = side == .buy ? sym.quote : sym.base
        guard let need, account.available(currency) >= need else {
            throw SimError(reason: "InsufficientFunds", httpStatus: 406,
                           message: "Failed to place \(side.rawValue) order on symbol '\(sym.symbol)' for price \(price) \(sym.quote) and quantity \(amount) \(sym.base) due to insufficient funds")
        }
        return SimOrderRecord(id: nextId(), accountId: account.id, session: session, clientOrderId: r.clientOrderId,
                              symbolIndex: si, symbol: sym, side: side, orderType: r.type, option: option,
                              price: price, stopPrice: stopPrice, amount: amount, createdMs: now,
                              holdFeeBps: account.holdFeeBps, channel: r.channel, connection: r.connection)
    }

    /// Largest price, amount or stop price an order may carry (exclusive): far above any real
    /// market, and low enough that every product and sum the engine forms stays inside
    /// `ExactDecimal` (with balances below 10^18).
    static let orderValueLimit = ExactDecimal(mantissa: 1_000_000_000_000_000_000, scale: 0)

    /// `value` (a whole multiple of `step`) written with no more decimal places than `step`
    /// has: `"1.000000000000000000000"` becomes `1.00000000` on a 1e-8 grid, so a long run of
    /// trailing zeros cannot blow up the engine's products. Fewer places stay as sent (REST
    /// echoes `"0.5"` as `"0.5"`). Nil at or beyond `orderValueLimit`.
    static func onGrid(_ value: ExactDecimal, step: ExactDecimal) -> ExactDecimal? {
        let canonical = value.scale > step.scale ? (value.rescaled(to: step.scale) ?? value) : value
        return canonical < orderValueLimit ? canonical : nil
    }

    static func isClientIdByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: ":"), UInt8(ascii: "-"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "#"):
            return true
        default:
            return false
        }
    }

    /// A `rejected` event for a refused order. The order never existed, but Gemini still
    /// gives the event an `order_id`, so one is drawn from the id sequence. Amount and price
    /// are zero when they did not parse; side is `buy` when the side itself was invalid.
    func emitRejected(_ r: SimOrderRequest, account: Int64, session: String, error: SimError) {
        let sym = symbol(r.symbol)
        let snapshot = SimOrderSnapshot(
            orderId: nextId(), clientOrderId: r.clientOrderId, accountId: account, apiSession: session,
            symbol: sym?.symbol ?? r.symbol.uppercased(), side: Side(rawValue: r.side) ?? .buy,
            orderType: r.type, options: r.options, timestampms: now, isLive: false, isCancelled: false,
            avgExecutionPrice: ExactDecimal(mantissa: 0, scale: sym?.quoteIncrement.scale ?? 2),
            executedAmount: .zero, remainingAmount: ExactDecimal(r.amount) ?? .zero,
            originalAmount: ExactDecimal(r.amount) ?? .zero, price: ExactDecimal(r.price) ?? .zero,
            stopPrice: r.stopPrice.flatMap { ExactDecimal($0) }, reason: error.reason, trades: nil,
            channel: r.channel, connection: r.connection)
        orderEvents.append(SimOrderEvent(eventId: nextId(), accountId: account, type: .rejected, order: snapshot,
                                         fill: nil, reason: error.reason, cancelCommandId: nil, timestampms: now))
    }
}
