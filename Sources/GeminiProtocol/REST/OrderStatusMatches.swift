import CastorCore

/// The answer of `/v1/order/status` queried by `client_order_id`: every order of the account
/// that carries the id (Gemini lets client order ids be reused), as an array (API.md §3.4).
/// One object (older answers, and `order_id` queries) decodes as a one-element list, so
/// both shapes are accepted; `null` decodes as none.
public struct OrderStatusMatches: Sendable, Hashable, Decodable {
    public let orders: [OrderStatus]

    public init(orders: [OrderStatus]) { self.orders = orders }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            orders = []
        } else if let list = try? container.decode([OrderStatus].self) {
            orders = list
        } else {
            orders = [try container.decode(OrderStatus.self)]
        }
    }
}
