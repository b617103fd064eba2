import CastorCore

/// The first message on `/v1/order/events`: the subscription as the exchange understood it.
/// Compare the filters with what was requested; an empty filter means "everything".
public struct OrderEventsSubscriptionAck: Sendable, Hashable, Decodable {
    public let accountID: Int64
    /// Its last dash-separated component is the trace id echoed in heartbeats.
    public let subscriptionID: String
    public let symbolFilter: [Symbol]
    public let apiSessionFilter: [String]
    /// Event type names as sent (kept as strings: a filter may name a type we do not know).
    public let eventTypeFilter: [String]

    /// The trace id part of `subscriptionID`.
    public var traceID: String? {
        subscriptionID.split(separator: "-").last.map(String.init)
    }

    private enum CodingKeys: String, CodingKey {
        case accountID = "accountId", subscriptionID = "subscriptionId"
        case symbolFilter, apiSessionFilter, eventTypeFilter
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accountID = try c.decodeFlexibleInt64(.accountID)
        subscriptionID = try c.decodeID(.subscriptionID)
        symbolFilter = try c.decodeIfPresent([Symbol].self, forKey: .symbolFilter) ?? []
        apiSessionFilter = try c.decodeIfPresent([String].self, forKey: .apiSessionFilter) ?? []
        eventTypeFilter = try c.decodeIfPresent([String].self, forKey: .eventTypeFilter) ?? []
    }
}
