import CastorCore
import CastorStrategy
import CastorTrading

/// The order path's state between the strategy and the key's request lane: the risk
/// checks, the order manager (client order ids, lifecycles, lookups before any resend, the
/// fill ledger) and what the engine remembers of each intent.
///
/// Part of the engine's state, so confined to the engine queue.
struct OrderRouter {
    var manager: OrderManager
    var risk: RiskChecker
    /// Per client order id: the owning strategy, its options, when it was made.
    var intents: [ClientOrderID: IntentInfo] = [:]
    /// Client-order counters up to this one are reserved (synced) in the journal.
    var counterReservedThrough: Int64 = 0
    /// Why the kill switch is engaged (nil while released); `risk` keeps its free text.
    var killSwitchCause: KillSwitchCause?
    /// This session's profit and loss per symbol, from the ledger's fills.
    var pnl = PnLBook()
    /// New orders sent this session, per symbol (resends not counted).
    var ordersSent: [Symbol: Int] = [:]

    /// Orders not yet closed.
    var openOrderCount: Int {
        manager.orders.values.reduce(0) { $0 + ($1.lifecycle.phase.isOpen ? 1 : 0) }
    }

    /// The client order ids of the orders not yet closed, sorted.
    var openClientOrderIDs: [String] {
        manager.orders.values.filter { $0.lifecycle.phase.isOpen }.map(\.lifecycle.clientOrderID.rawValue).sorted()
    }

    /// Orders whose executed amount, as the exchange reported it, exceeds their fills in the
    /// ledger, which counts exactly the journaled fills (restored from the journal at start,
    /// each new one journaled, synced, as it is counted; the sums of orders whose fills left
    /// the ledger's memory come from the journal itself): the orders with fills the journal
    /// lacks. The ledger, by exchange order id, rather than the order's own fill sum, which
    /// misses a fill counted before the order's id was known (a reconciliation finding the
    /// trade of an uncertain send) and fills journaled before a restart.
    func ordersWithUnjournaledFills() -> [OrderManager.ManagedOrder] {
        manager.orders.values.filter { journaledExecution($0.lifecycle) < $0.lifecycle.executedReported }
            .sorted { $0.lifecycle.clientOrderID < $1.lifecycle.clientOrderID }
    }

    /// The amount of `order`'s journaled fills.
    func journaledExecution(_ order: OrderLifecycle) -> ExactDecimal {
        order.orderID.map { manager.ledger.executed(orderID: $0) } ?? .zero
    }
}

/// What the engine remembers about an intent beyond the order manager.
struct IntentInfo {
    let strategy: String
    let options: OrderOption?
    /// When the intent was made (Unix ms): bounds the fill catch-up after a restart.
    var createdMs: Int64
    /// The last state reported to the strategy, so each change is reported once.
    var reported: CastorStrategy.OrderState = .pending
}
