import CastorCore

/// The session's profit and loss per symbol (`SymbolPnL`), from the fills the ledger
/// counted, each once. Positions restored at start are carried in at the first mark, so the
/// figures are this session's; all-time totals come from the journal's aggregates.
public struct PnLBook: Sendable, Hashable {
    public private(set) var symbols: [Symbol: SymbolPnL] = [:]
    /// Symbols whose restored position waits for its first mark (`carryIn`).
    public private(set) var awaitingMark: [Symbol: ExactDecimal] = [:]

    public init() {}

    /// Positions restored at start, valued at the first mark `mark(_:_:)` gives them.
    public mutating func carryIn(_ positions: [Symbol: ExactDecimal]) {
        for (symbol, position) in positions where !position.isZero { awaitingMark[symbol] = position }
    }

    /// A mark (mid) for `symbol`: opens its carried-in position, if one waits for it.
    public mutating func mark(_ symbol: Symbol, _ price: ExactDecimal) {
        guard let position = awaitingMark.removeValue(forKey: symbol) else { return }
        symbols[symbol, default: SymbolPnL()].carryIn(position: position, at: price)
    }

    /// Counts a fill the ledger applied.
    public mutating func record(_ fill: LedgerFill, feeIsQuote: Bool) {
        // A fill before the carried-in position was marked: take the fill's price as the mark.
        if awaitingMark[fill.symbol] != nil { mark(fill.symbol, fill.price) }
        symbols[fill.symbol, default: SymbolPnL()].record(
            side: fill.side, amount: fill.amount, price: fill.price, fee: fill.fee, feeCurrency: fill.feeCurrency,
            feeIsQuote: feeIsQuote)
    }
}
