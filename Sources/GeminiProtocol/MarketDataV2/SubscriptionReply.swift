/// A reply to a subscribe/unsubscribe request: an object with `result` (for example
/// `{"result":"error","reason":"InvalidJson","message":"…"}`). Rare, so it carries Strings.
public struct SubscriptionReply: Sendable, Equatable {
    /// The `result` value (`"error"` for failures).
    public var result: String
    /// `reason`, for example `InvalidJson`.
    public var reason: String?
    /// `message`, human-readable detail.
    public var message: String?

    public init(result: String, reason: String? = nil, message: String? = nil) {
        self.result = result
        self.reason = reason
        self.message = message
    }

    /// True when the exchange rejected the request; resubscribing with the same message
    /// will fail again, so fix the request (symbol names, subscription names) first.
    public var isError: Bool { result == "error" }
}
