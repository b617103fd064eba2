/// When the engine reads the account's balances again after start-up, so that `castor
/// status` and a strategy's `context.balance(currency:)` follow the fills: a few seconds
/// after a fill (`afterFillMs`, so a burst of fills costs one request) and at the latest every
/// `everyMs`; a push of the balances on the account socket stands in for the read after a
/// fill. One request at a time, as an idempotent query in the key's queue (behind
/// cancels and new orders). An I/O-free decision; the engine's 1 s tick asks it.
struct BalanceRefresh {
    static let afterFillMs: Int64 = 5_000
    static let everyMs: Int64 = 60_000

    /// When the balances were last read (start-up or a refresh), engine time.
    private(set) var lastReadMs: Int64?
    /// The first fill since the last read.
    private(set) var fillSinceMs: Int64?
    private(set) var inFlight = false
    /// After a failed read, not before this (a venue that keeps failing gets one read every
    /// `afterFillMs`, not one a tick).
    private(set) var retryAtMs: Int64?

    mutating func loaded(atMs now: Int64) {
        lastReadMs = now
        inFlight = false
        retryAtMs = nil
    }

    mutating func failed(atMs now: Int64) {
        inFlight = false
        retryAtMs = now + BalanceRefresh.afterFillMs
    }

    /// The venue pushed the balances (the account socket's `balanceUpdate`): the fills so
    /// far are in them, so no read is owed for them; the periodic read stays due.
    mutating func pushed() {
        fillSinceMs = nil
    }

    mutating func filled(atMs now: Int64) {
        if fillSinceMs == nil { fillSinceMs = now }
    }

    /// True when a refresh should be queued now (and marks it in flight).
    mutating func due(atMs now: Int64) -> Bool {
        guard !inFlight, let last = lastReadMs else { return false }
        if let retryAtMs { guard now >= retryAtMs else { return false } }
        let afterFill = fillSinceMs.map { now - $0 >= BalanceRefresh.afterFillMs } ?? false
        guard afterFill || now - last >= BalanceRefresh.everyMs else { return false }
        inFlight = true
        fillSinceMs = nil
        return true
    }
}
