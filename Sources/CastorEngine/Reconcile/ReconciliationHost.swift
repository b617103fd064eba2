import CastorCore
import CastorTrading
import Logging

/// What `ReconciliationDriver` needs from its engine: the venue reads (with the engine's
/// retry policy and rate limits), the local state that positions them, and the order
/// manager to apply the result to. The driver holds it weakly: the engine owns the driver.
///
/// Every member is called on the engine queue, and every completion must run there too.
protocol ReconciliationHost: AnyObject {
    /// Where reconcile lines go (the engine's logger as configured now).
    var reconciliationLog: Logger { get }
    /// The symbols whose trades are fetched: the running configuration's.
    var reconciledSymbols: [Symbol] { get }
    /// The local orders an open list taken now would speak for
    /// (`ReconciliationInput.settled`).
    func settledOrders() -> Set<ClientOrderID>
    /// Where `symbol`'s trade catch-up starts (Unix ms).
    func catchUpPoint(_ symbol: Symbol) -> Int64
    /// True while a failed reconciliation is tried again (the engine is running; a
    /// stopping one leaves what is missing to the next start).
    var retriesReconciliation: Bool { get }

    /// Asks the venue for the account's open orders; `then` with them, or `onGiveUp` once
    /// the retries are spent. Neither runs if the engine stops meanwhile.
    func fetchOpenOrders(then: @escaping ([OrderSnapshot]) -> Void, onGiveUp: @escaping () -> Void)
    /// Asks the venue for one page of `symbol`'s own trades (as `fetchOpenOrders`).
    func fetchTrades(_ symbol: Symbol, sinceMs: Int64, limit: Int,
                     then: @escaping ([TradeReport]) -> Void, onGiveUp: @escaping () -> Void)
    /// Plans against the local state and applies it through the order manager.
    func applyReconciliation(_ fetched: ReconciliationRun.Fetched, trigger: ReconcileTrigger)
    /// A reconciliation finished or gave up (a shutdown may be waiting for that).
    func reconciliationEnded()
}
