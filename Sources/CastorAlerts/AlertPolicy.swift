import Logging

/// Which log events become webhook alerts: kill-switch changes, a failed start or a daemon
/// that cannot go on, a forced shutdown, fills at risk of being lost, order-manager alarms,
/// a feed that gave up, a reconciliation that failed for good, and reconnect storms (at
/// least `stormReconnects` feed reconnects within `stormWindowMs`, alerted once per window).
///
/// A value type fed one event at a time, so its decisions are tested without I/O.
public struct AlertPolicy: Sendable {
    public static let alerting: Set<String> = [
        "killswitch.engaged", "killswitch.released", "risk.kill_switch_engaged", "risk.kill_switch_released",
        "run.failed", "shutdown.forced", "orders.shutdown_fills_missing", "orders.alert", "feeds.failed",
        "reconcile.failed_final",
    ]
    public let stormReconnects: Int
    public let stormWindowMs: Int64
    private var reconnects: [Int64] = []
    private var lastStormMs: Int64?

    public init(stormReconnects: Int = 5, stormWindowMs: Int64 = 60_000) {
        self.stormReconnects = max(1, stormReconnects)
        self.stormWindowMs = max(1, stormWindowMs)
    }

    /// The alert's event name for `event` at `nowMs`, or nil for none.
    public mutating func alert(for event: String, nowMs: Int64) -> String? {
        if Self.alerting.contains(event) { return event }
        guard event == "feeds.reconnecting" else { return nil }
        reconnects.append(nowMs)
        reconnects.removeAll { nowMs - $0 >= stormWindowMs }
        guard reconnects.count >= stormReconnects, lastStormMs.map({ nowMs - $0 >= stormWindowMs }) ?? true else { return nil }
        lastStormMs = nowMs
        return "feeds.reconnect_storm"
    }
}
