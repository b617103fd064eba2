import CastorCore
import CastorTrading
import GeminiProtocol

// Gemini's wire types as the domain reports trading logic reads. This is the one place
// that knows both: the engine and CastorTrading see only the left-hand sides.

extension VenueReason {
    /// A Gemini `reason` code, kept as sent.
    public init(gemini reason: GeminiReason) { self.init(reason.rawValue) }
}

extension VenueRefusal {
    /// A Gemini error body, classified by its reason (Gemini's table, §4.3) and else by
    /// the HTTP status.
    public init(gemini body: GeminiErrorBody, httpStatus: Int?) {
        self.init(reason: VenueReason(gemini: body.reason),
                  classification: FailureClass(gemini: body.classification(httpStatus: httpStatus)),
                  message: body.description)
    }
}

extension FailureClass {
    public init(gemini c: GeminiErrorClassification) {
        switch c {
        case .retryWithNewNonce: self = .retryWithNewNonce
        case .fatalConfiguration: self = .fatalConfiguration
        case .orderNotFound: self = .orderNotFound
        case .reject: self = .reject
        case .backOff: self = .backOff
        case .retryIdempotentOnly: self = .retryIdempotentOnly
        case .halt: self = .halt
        }
    }
}

extension OrderSnapshot {
    /// A REST order-status object (`/v1/order/new`, `/cancel`, `/status`, `/v1/orders`);
    /// nil when its `order_id`, or one of its trades', is not a decimal 64-bit integer.
    public init?(gemini s: OrderStatus) {
        guard let orderID = VenueOrderID(s.orderID) else { return nil }
        var trades: [TradeReport]?
        if let wire = s.trades {
            var mapped: [TradeReport] = []
            mapped.reserveCapacity(wire.count)
            for t in wire {
                guard let trade = TradeReport(gemini: t) else { return nil }
                mapped.append(trade)
            }
            trades = mapped
        }
        let state: State = switch s.state {
        case .open: .open
        case .cancelled: .cancelled
        case .filled: .filled
        }
        self.init(orderID: orderID, clientOrderID: s.clientOrderID, symbol: s.symbol, side: s.side, price: s.price,
                  originalAmount: s.originalAmount, executedAmount: s.executedAmount, remainingAmount: s.remainingAmount,
                  options: s.options, state: state, reason: s.reason.map(VenueReason.init(gemini:)),
                  timestampMs: s.timestampMs, trades: trades)
    }
}

extension OrderReport {
    /// One `/v1/order/events` event; nil when its `order_id` is absent or not a decimal
    /// 64-bit integer (the lenient decoder leaves it empty rather than failing the frame).
    public init?(gemini e: OrderEvent) {
        guard let orderID = VenueOrderID(e.orderID) else { return nil }
        let kind: Kind = switch e.type {
        case .initial: .initial
        case .accepted: .accepted
        case .rejected: .rejected
        case .booked: .booked
        case .fill: .fill
        case .cancelled: .cancelled
        case .cancelRejected: .cancelRejected
        case .closed: .closed
        case .unknown(let raw): .unknown(raw)
        }
        let execution = e.fill.map { f in
            Execution(tradeID: f.tradeID, price: f.price, amount: f.amount, fee: f.fee, feeCurrency: f.feeCurrency,
                      isMaker: {
                          switch f.liquidity {
                          case .maker: true
                          case .taker: false
                          case .other: nil
                          }
                      }())
        }
        self.init(kind: kind, orderID: orderID, clientOrderID: e.clientOrderID, symbol: e.symbol, side: e.side,
                  price: e.price, originalAmount: e.originalAmount, executedAmount: e.executedAmount,
                  remainingAmount: e.remainingAmount, isLive: e.isLive, isCancelled: e.isCancelled,
                  reason: e.reason.map(VenueReason.init(gemini:)), timestampMs: e.timestamp, execution: execution)
    }
}

extension TradeReport {
    /// A `/v1/mytrades` row (or an `include_trades` element of an order status); nil when
    /// its `order_id` is not a decimal 64-bit integer.
    public init?(gemini t: MyTrade) {
        guard let orderID = VenueOrderID(t.orderID) else { return nil }
        self.init(tradeID: t.tid, orderID: orderID, clientOrderID: t.clientOrderID, symbol: t.symbol, side: t.side,
                  price: t.price, amount: t.amount, fee: t.feeAmount, feeCurrency: t.feeCurrency, isTaker: t.aggressor,
                  timestampMs: t.timestampMs, isFullyBroken: t.tradeBreak?.lowercased() == "full", rejection: t.rejection)
    }
}
