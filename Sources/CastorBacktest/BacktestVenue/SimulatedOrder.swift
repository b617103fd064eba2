import CastorCore
import CastorFeeds
import CastorTrading

/// One order at the backtest venue: what was asked, how much executed, where it stands in
/// its price level's queue.
struct SimulatedOrder {
    enum Phase: Equatable {
        /// Sent, not live yet (the latency has not passed).
        case inFlight
        /// Resting in the book.
        case resting
        case filled
        case cancelled(VenueReason?)
    }

    let orderID: VenueOrderID
    let clientOrderID: String
    let symbol: Symbol
    let side: Side
    let price: ExactDecimal
    let amount: ExactDecimal
    let option: OrderOption?
    let placedMs: Int64
    var executed: ExactDecimal = .zero
    var phase: Phase = .inFlight
    /// Displayed quantity ahead of it at its price: the level's size when it went live,
    /// reduced by trades at its price and capped by the level's size as the book changes.
    var queueAhead: ExactDecimal = .zero
    /// Its symbol's book, once live (what the fill model compares per frame).
    var book: BookIndex?
    /// Its executions, for lookups and the trade history.
    var trades: [TradeReport] = []

    var remaining: ExactDecimal { amount - executed }
    var isLive: Bool { phase == .inFlight || phase == .resting }

    var state: OrderSnapshot.State {
        switch phase {
        case .inFlight, .resting: .open
        case .filled: .filled
        case .cancelled: .cancelled
        }
    }

    var reason: VenueReason? {
        if case .cancelled(let r) = phase { return r }
        return nil
    }

    func snapshot(at ms: Int64, withTrades: Bool = false) -> OrderSnapshot {
        OrderSnapshot(orderID: orderID, clientOrderID: clientOrderID, symbol: symbol, side: side, price: price,
                      originalAmount: amount, executedAmount: executed, remainingAmount: isLive ? remaining : .zero,
                      options: option.map { [$0.rawValue] } ?? [], state: state, reason: reason, timestampMs: placedMs,
                      trades: withTrades ? trades : nil)
    }

    func report(_ kind: OrderReport.Kind, at ms: Int64, execution: OrderReport.Execution? = nil) -> OrderReport {
        OrderReport(kind: kind, orderID: orderID, clientOrderID: clientOrderID, symbol: symbol, side: side, price: price,
                    originalAmount: amount, executedAmount: executed, remainingAmount: isLive ? remaining : .zero,
                    isLive: isLive, isCancelled: state == .cancelled, reason: reason, timestampMs: ms, execution: execution)
    }
}
