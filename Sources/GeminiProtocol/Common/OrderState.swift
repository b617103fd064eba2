/// An order's lifecycle state as derived from Gemini's flags (§3.1, same rule as ccxt).
public enum OrderState: String, Sendable, Hashable, CaseIterable {
    /// Resting or working on the exchange.
    case open
    /// Cancelled, possibly after partial fills (`is_cancelled`).
    case cancelled
    /// Neither live nor cancelled: fully filled (Gemini calls this closed).
    case filled

    /// `is_cancelled` wins over `is_live`, because a maker-or-cancel order that would take
    /// comes back cancelled immediately; otherwise live means open, and not live means filled.
    public init(isLive: Bool, isCancelled: Bool) {
        if isCancelled { self = .cancelled } else if isLive { self = .open } else { self = .filled }
    }
}
