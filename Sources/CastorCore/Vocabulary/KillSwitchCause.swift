/// Who engaged (or released) the kill switch. Its `code` is the `reason` and `by` of the
/// kill-switch log lines; the free text (the operator's words, the failure) goes in `detail`.
///
/// Shared by the engine (which holds the switch) and the process shell (which engages it on
/// SIGUSR1 and carries it over a reload that replaces the engine).
///
/// Who may release it: the operator's explicit release (`operator`) always; the
/// configuration only a switch the configuration itself engaged (`kill_switch = false` in
/// `[risk]` after `true`); nothing releases a switch a signal or a failure engaged but the
/// operator (today: a restart, see the README).
public enum KillSwitchCause: String, Sendable, CaseIterable {
    /// SIGUSR1 (`systemctl kill -s USR1 castor`): engages only, idempotently.
    case signal
    /// An explicit operator request (`Engine.setKillSwitch`): engages or releases.
    case `operator`
    /// `kill_switch = true` in `[risk]`.
    case configuration
    /// A journal write failed: without it the next restart is not protected.
    case journalWriteFailed = "journal_write_failed"
    /// The order-events feed failed for good while running: fills could go unseen.
    case orderEventsFailed = "order_events_failed"

    /// The stable short code logged as `reason` / `by`.
    public var code: String { rawValue }

    /// Whether a request from `self` may release a switch that `holder` engaged: the operator
    /// releases any; anyone else only their own (in practice: the configuration its own).
    public func mayRelease(heldBy holder: KillSwitchCause) -> Bool {
        self == .operator || self == holder
    }
}
