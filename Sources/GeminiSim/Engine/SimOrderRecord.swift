import CastorCore

/// The engine's mutable order. A class because the book, the stop list and the id index
/// all refer to the same order and fills update it in place.
final class SimOrderRecord {
    let id: Int64
    let accountId: Int64
    let session: String
    let clientOrderId: String?
    let symbolIndex: Int
    let symbol: String
    let side: Side
    let orderType: String
    let option: String?
    let price: ExactDecimal
    let stopPrice: ExactDecimal?
    let original: ExactDecimal
    let createdMs: Int64
    /// Scale of the symbol's price step, so an unfilled average prints as `0.00`.
    let priceScale: UInt8
    /// Fee rate the buy hold was sized with (fixed at placement).
    let holdFeeBps: Int
    /// Currency the hold is in: quote for buys, base for sells.
    let holdCurrency: String
    /// REST or the WebSocket API, and which WebSocket API connection.
    let channel: SimOrderChannel
    let connection: UInt64?

    var executed: ExactDecimal = .zero
    /// Σ price × quantity over fills, for the average execution price.
    var notional: ExactDecimal = .zero
    /// Funds currently reserved for this order.
    var held: ExactDecimal = .zero
    /// Stop-limit order whose stop has not triggered yet.
    var waitingForStop: Bool
    var onBook = false
    var isLive = true
    var isCancelled = false
    var reason: String?
    var trades: [SimTrade] = []

    init(id: Int64, accountId: Int64, session: String, clientOrderId: String?, symbolIndex: Int,
         symbol: SimSymbol, side: Side, orderType: String, option: String?, price: ExactDecimal,
         stopPrice: ExactDecimal?, amount: ExactDecimal, createdMs: Int64, holdFeeBps: Int,
         channel: SimOrderChannel = .rest, connection: UInt64? = nil) {
        self.id = id
        self.channel = channel
        self.connection = connection
        self.accountId = accountId
        self.session = session
        self.clientOrderId = clientOrderId
        self.symbolIndex = symbolIndex
        self.symbol = symbol.symbol
        self.side = side
        self.orderType = orderType
        self.option = option
        self.price = price
        self.stopPrice = stopPrice
        self.original = amount
        self.createdMs = createdMs
        self.priceScale = symbol.quoteIncrement.scale
        self.holdFeeBps = holdFeeBps
        self.holdCurrency = side == .buy ? symbol.quote : symbol.base
        self.waitingForStop = stopPrice != nil
    }

    var remaining: ExactDecimal { original - executed }

    /// What the order must have reserved while `quantity` is unfilled: for a buy the limit
    /// notional plus the fee at `holdFeeBps`; for a sell the base quantity itself.
    func holdNeeded(for quantity: ExactDecimal) -> ExactDecimal {
        SimOrderRecord.hold(side: side, price: price, quantity: quantity, feeBps: holdFeeBps)
    }

    static func hold(side: Side, price: ExactDecimal, quantity: ExactDecimal, feeBps: Int) -> ExactDecimal {
        guard side == .buy else { return quantity }
        let notional = price * quantity
        return notional + notional * ExactDecimal.basisPoints(feeBps)
    }

    /// `hold`, or nil when it is too large to compute (far beyond any balance): checked at
    /// placement so no request can make the engine's arithmetic overflow.
    static func holdReportingOverflow(side: Side, price: ExactDecimal, quantity: ExactDecimal,
                                      feeBps: Int) -> ExactDecimal? {
        guard side == .buy else { return quantity }
        guard let notional = price.multipliedReportingOverflow(by: quantity),
              let fee = notional.multipliedReportingOverflow(by: ExactDecimal.basisPoints(feeBps)) else { return nil }
        return notional.addingReportingOverflow(fee)
    }

    /// Would this order trade against a resting order at `restingPrice`?
    func crosses(_ restingPrice: ExactDecimal) -> Bool {
        side == .buy ? restingPrice <= price : restingPrice >= price
    }

    func snapshot(includeTrades: Bool = false) -> SimOrderSnapshot {
        SimOrderSnapshot(
            orderId: id, clientOrderId: clientOrderId, accountId: accountId, apiSession: session,
            symbol: symbol, side: side, orderType: orderType, options: option.map { [$0] } ?? [],
            timestampms: createdMs, isLive: isLive, isCancelled: isCancelled,
            avgExecutionPrice: averagePrice, executedAmount: executed, remainingAmount: remaining,
            originalAmount: original, price: price, stopPrice: stopPrice, reason: reason,
            trades: includeTrades ? trades : nil, channel: channel, connection: connection)
    }

    /// Σ notional / Σ quantity, truncated at 12 places and trimmed, never shorter than the
    /// price step (so `65000.00`, or `0.00` before any fill, like Gemini prints it).
    var averagePrice: ExactDecimal {
        guard executed.isPositive else { return ExactDecimal(mantissa: 0, scale: priceScale) }
        let avg = notional.dividedTruncating(by: executed, scale: 12).normalized
        return avg.scale >= priceScale ? avg : (avg.rescaled(to: priceScale) ?? avg)
    }
}

extension ExactDecimal {
    /// `bps` basis points as a fraction (`10` → `0.0010`).
    static func basisPoints(_ bps: Int) -> ExactDecimal { ExactDecimal(mantissa: Int128(bps), scale: 4) }

    /// `self / divisor` truncated toward zero at `scale` places (fewer if the exact
    /// intermediate would overflow 128 bits). CastorCore has no division on purpose; the
    /// simulator needs it only for average prices, which Gemini also truncates.
    func dividedTruncating(by divisor: ExactDecimal, scale: UInt8) -> ExactDecimal {
        precondition(!divisor.isZero, "division by zero")
        var s = Int(scale)
        while s >= 0 {
            // self = n/10^sn, divisor = d/10^sd; result r/10^s = n·10^(s+sd−sn) / d.
            let shift = s + Int(divisor.scale) - Int(self.scale)
            var numerator = mantissa
            var denominator = divisor.mantissa
            var overflow = false
            if shift >= 0 {
                if shift > 38 { overflow = true } else {
                    let r = numerator.multipliedReportingOverflow(by: ExactDecimal.pow10(shift))
                    numerator = r.partialValue; overflow = r.overflow
                }
            } else if -shift > 38 { return ExactDecimal(mantissa: 0, scale: UInt8(s)) } else {
                let r = denominator.multipliedReportingOverflow(by: ExactDecimal.pow10(-shift))
                denominator = r.partialValue; overflow = r.overflow
            }
            if !overflow { return ExactDecimal(mantissa: numerator / denominator, scale: UInt8(s)) }
            s -= 1
        }
        preconditionFailure("ExactDecimal division overflow in \(self) / \(divisor)")
    }

    static func pow10(_ n: Int) -> Int128 {
        var p: Int128 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }
}
