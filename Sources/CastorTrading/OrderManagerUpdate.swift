import CastorCore

/// News for the strategy (and the journal).
public enum OrderManagerUpdate: Sendable, Hashable {
    /// An order changed phase or executed amount.
    case transition(OrderTransition)
    /// A new fill (never repeated for a trade id). For an intent's duplicate exchange
    /// order it carries the same client order id: the fill is real money either way.
    case fill(LedgerFill)
    /// A second exchange order carries this client order id; it is being cancelled.
    case duplicateDetected(ClientOrderID, kept: VenueOrderID, duplicate: VenueOrderID)
    /// An exchange order no local intent owns.
    case unknownOrder(orderID: VenueOrderID, clientOrderID: String?, ours: Bool)
    /// A fill of an order that is not ours (the website, another instance on the same
    /// account): reported once, never counted in positions or the journal.
    case foreignFill(LedgerFill)
}
