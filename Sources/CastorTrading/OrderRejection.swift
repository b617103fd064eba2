
/// Why an intent did not become an order.
public enum OrderRejection: Sendable, Hashable {
    /// The exchange refused it (confirmed absent by a lookup), or gave up after retries.
    case exchange(VenueReason?, String)
    /// Passed its deadline before it could be (re)sent; it never reached the exchange.
    case expired
    /// New orders are halted (maintenance) until this time.
    case halted(untilMs: Int64)
    /// Cancelled by the strategy before it was placed.
    case cancelledBeforePlacement
    /// The client order id could not be made.
    case invalid(String)
    /// Restored from the journal after a restart and not found on the exchange: it was
    /// never placed, and an intent from before a restart is never sent (it is stale).
    case notPlacedBeforeRestart
    /// A resend was refused before it left: the kill switch, a risk limit, or the engine
    /// no longer trading (stopping). It never reached the exchange.
    case refused(String)
}
