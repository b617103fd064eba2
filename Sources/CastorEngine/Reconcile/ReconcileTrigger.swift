/// Why a reconciliation runs. Its `code` is the `reason` of every reconcile log line, so
/// operators and tests match on a stable word, never on prose.
enum ReconcileTrigger: String, Sendable, CaseIterable {
    /// The start-up step, after the journal and before the feeds connect.
    case startup
    /// The order-events feed (re)connected and delivered its snapshot of active orders.
    case reconnect
    /// A reload changed the symbol list (market data reconnected with the new one).
    case symbolsChanged = "symbols_changed"
    /// The previous reconciliation gave up on a venue call; tried again after a delay.
    case retry
    /// The shutdown's final fill catch-up, before the journal closes.
    case shutdownCatchUp = "shutdown_catch_up"

    /// The stable short code logged as `reason`.
    var code: String { rawValue }
}
