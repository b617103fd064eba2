/// The body of `/v1/orders` (active orders) or `/v1/orders/history`: an array of orders.
/// A recorded sandbox response used `null` for "no orders" (§3.5), which decodes as empty.
public struct OrderList: Sendable, Hashable, Decodable {
    public let orders: [OrderStatus]

    public init(orders: [OrderStatus]) { self.orders = orders }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        orders = container.decodeNil() ? [] : try container.decode([OrderStatus].self)
    }
}
