import CastorCore

/// Profit and loss in one symbol, in its quote currency, exact: realized by FIFO lots, fees
/// apart, unrealized at a mark the caller gives.
///
/// FIFO needs no division, so every figure stays an exact decimal. A fill that takes the
/// position through zero closes every open lot and opens the rest the other way. A result
/// that would overflow is not computed: `isOverflowed` is set and the figures stop moving
/// (a report says so rather than showing a wrong number), and nothing traps.
public struct SymbolPnL: Sendable, Hashable {
    /// Part of the position bought (or sold short) at one price.
    public struct Lot: Sendable, Hashable {
        /// Positive base amount still open.
        public var amount: ExactDecimal
        public let price: ExactDecimal
    }

    /// Open lots, oldest first; all long or all short (`isShort`).
    public private(set) var lots: [Lot] = []
    public private(set) var isShort = false
    /// Realized profit of closed lots, fees not included.
    public private(set) var realized: ExactDecimal = .zero
    /// Fees paid in the quote currency.
    public private(set) var quoteFees: ExactDecimal = .zero
    /// Fees paid in any other currency, by upper-case currency.
    public private(set) var otherFees: [String: ExactDecimal] = [:]
    /// Fills counted.
    public private(set) var fillCount = 0
    /// Base amount traded (bought plus sold).
    public private(set) var volume: ExactDecimal = .zero
    /// A figure would have overflowed; they are frozen from then on.
    public private(set) var isOverflowed = false

    public init() {}

    /// Signed position: the open lots' amounts, negative when short.
    public var position: ExactDecimal {
        let total = lots.reduce(ExactDecimal.zero) { $0.addingSaturating($1.amount) }
        return isShort ? -total : total
    }

    /// Realized profit net of quote fees.
    public var realizedAfterFees: ExactDecimal? { realized.subtractingReportingOverflow(quoteFees) }

    /// What the open lots would make if closed at `mark` (nil if it would overflow).
    public func unrealized(atMark mark: ExactDecimal) -> ExactDecimal? {
        var total = ExactDecimal.zero
        for lot in lots {
            guard let move = isShort ? lot.price.subtractingReportingOverflow(mark) : mark.subtractingReportingOverflow(lot.price),
                  let part = move.multipliedReportingOverflow(by: lot.amount),
                  let sum = total.addingReportingOverflow(part) else { return nil }
            total = sum
        }
        return total
    }

    /// A position carried in (restored at start) that this book did not see bought: one lot
    /// at `mark`, so the session's figures count from that price. Only on an empty book.
    public mutating func carryIn(position: ExactDecimal, at mark: ExactDecimal) {
        guard lots.isEmpty, !position.isZero, let amount = position.isNegative ? position.negatedReportingOverflow : position
        else { return }
        isShort = position.isNegative
        lots = [Lot(amount: amount, price: mark)]
    }

    /// Counts one of our fills.
    /// - Parameter feeIsQuote: the fee is paid in the symbol's quote currency (else in
    ///   `feeCurrency`, kept apart).
    public mutating func record(side: Side, amount: ExactDecimal, price: ExactDecimal, fee: ExactDecimal,
                                feeCurrency: String?, feeIsQuote: Bool) {
        guard !isOverflowed, amount.isPositive else { return }
        var next = self
        guard next.apply(side: side, amount: amount, price: price, fee: fee, feeCurrency: feeCurrency, feeIsQuote: feeIsQuote)
        else {
            isOverflowed = true
            return
        }
        self = next
    }

    private mutating func apply(side: Side, amount: ExactDecimal, price: ExactDecimal, fee: ExactDecimal,
                                feeCurrency: String?, feeIsQuote: Bool) -> Bool {
        fillCount += 1
        guard let v = volume.addingReportingOverflow(amount) else { return false }
        volume = v
        if feeIsQuote {
            guard let f = quoteFees.addingReportingOverflow(fee) else { return false }
            quoteFees = f
        } else if !fee.isZero {
            let currency = (feeCurrency ?? "").uppercased()
            guard let f = (otherFees[currency] ?? .zero).addingReportingOverflow(fee) else { return false }
            otherFees[currency] = f
        }
        let buying = side == .buy
        var left = amount
        // Closing: a buy against short lots, a sell against long ones, oldest first.
        while left.isPositive, !lots.isEmpty, buying == isShort {
            let closing = min(left, lots[0].amount)
            let entry = lots[0].price
            guard let move = isShort ? entry.subtractingReportingOverflow(price) : price.subtractingReportingOverflow(entry),
                  let gain = move.multipliedReportingOverflow(by: closing),
                  let r = realized.addingReportingOverflow(gain),
                  let rest = lots[0].amount.subtractingReportingOverflow(closing),
                  let l = left.subtractingReportingOverflow(closing) else { return false }
            realized = r
            left = l
            if rest.isZero { lots.removeFirst() } else { lots[0].amount = rest }
        }
        // Opening (or adding to) a position with what is left.
        if left.isPositive {
            if lots.isEmpty { isShort = !buying }
            lots.append(Lot(amount: left, price: price))
        }
        return true
    }
}
