
/// The answer to a `.lookup` / `.queryOrder`.
public enum LookupResult: Sendable, Hashable {
    case found(OrderSnapshot)
    /// `OrderNotFound` (404): the exchange has no such order.
    case notFound
    case failed(VenueFailure)
}
