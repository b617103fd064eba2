import GeminiProtocol

/// The answer to a `.lookup` / `.queryOrder`.
public enum LookupResult: Sendable, Hashable {
    case found(OrderStatus)
    /// `OrderNotFound` (404): the exchange has no such order.
    case notFound
    case failed(RESTFailure)
}
