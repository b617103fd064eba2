/// The body of `/v1/order/cancel/session` and `/v1/order/cancel/all`.
public struct CancelAllResponse: Sendable, Hashable, Decodable {
    /// `"ok"`.
    public let result: String
    /// Ids of orders that were cancelled (sent as JSON numbers, kept as exact digits so they
    /// compare equal to `OrderStatus.orderID`).
    public let cancelledOrders: [String]
    /// Ids of orders that could not be cancelled.
    public let cancelRejects: [String]

    private enum CodingKeys: String, CodingKey { case result, details }
    private enum DetailKeys: String, CodingKey { case cancelledOrders, cancelRejects }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        result = try c.decode(String.self, forKey: .result)
        let details = try c.nestedContainer(keyedBy: DetailKeys.self, forKey: .details)
        cancelledOrders = try details.decodeIfPresent([LenientID].self, forKey: .cancelledOrders)?.map(\.value) ?? []
        cancelRejects = try details.decodeIfPresent([LenientID].self, forKey: .cancelRejects)?.map(\.value) ?? []
    }
}
