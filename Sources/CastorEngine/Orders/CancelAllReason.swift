/// Why the engine cancels everything it has open; `code` is the `reason` of
/// `orders.session_cancelled` (and `cancel_reason` of `orders.session_cancel_failed`).
enum CancelAllReason: String, Sendable, CaseIterable {
    /// The kill switch was engaged (or found orders open while engaged).
    case killSwitch = "kill_switch"
    /// A graceful shutdown with `cancelOpenOrders`.
    case shutdown

    /// The stable short code logged as `reason`.
    var code: String { rawValue }
}
