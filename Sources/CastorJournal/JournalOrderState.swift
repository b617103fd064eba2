/// The lifecycle state of one of Castor's orders as the journal records it.
///
/// Mirrors Gemini's order events (API.md §6.3) plus `pending`, the state of an intent written
/// before the order is sent: on restart a `pending` intent is an order whose fate is unknown
/// and must be looked up by client order id.
public enum JournalOrderState: String, Sendable, Hashable, CaseIterable {
    /// Journaled, not yet acknowledged by the exchange (maybe never sent).
    case pending
    case accepted
    case booked
    /// At least one fill, still live.
    case partiallyFilled = "partially_filled"
    /// A cancel was requested and not yet confirmed.
    case cancelPending = "cancel_pending"
    case filled
    case cancelled
    case rejected
    /// Gemini's final `closed` event (filled or cancelled, whichever came first).
    case closed

    /// No further event can change the order; `loadState` does not return it as open.
    public var isTerminal: Bool {
        switch self {
        case .filled, .cancelled, .rejected, .closed: true
        case .pending, .accepted, .booked, .partiallyFilled, .cancelPending: false
        }
    }

    /// SQL list of terminal states, for `NOT IN (…)` clauses.
    static let terminalSQLList: String = allCases.filter(\.isTerminal).map { "'\($0.rawValue)'" }.joined(separator: ", ")
}
