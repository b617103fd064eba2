/// Why the kill switch was engaged (or released). Its `code` is the `reason` of the
/// `risk.kill_switch_*` log lines; the free text (the operator's reason, the failure) goes
/// in `detail`.
enum KillSwitchCause: String, Sendable, CaseIterable {
    /// `Engine.setKillSwitch` (the operator: SIGUSR1, or carried over a reload).
    case `operator`
    /// `kill_switch = true` in `[risk]`.
    case configuration
    /// A journal write failed: without it the next restart is not protected.
    case journalWriteFailed = "journal_write_failed"
    /// The order-events feed failed for good while running: fills could go unseen.
    case orderEventsFailed = "order_events_failed"

    /// The stable short code logged as `reason`.
    var code: String { rawValue }
}
