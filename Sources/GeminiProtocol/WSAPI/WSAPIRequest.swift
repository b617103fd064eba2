import CastorCore

/// Request frames of the new WebSocket API (WS-API.md §2.1, §2.4), as JSON text: stream
/// names lower-case, order ids as strings (they exceed 2^53), decimals as plain strings.
public enum WSAPIRequest {
    /// `{symbol}@depth@100ms`, the differential book every 100 ms (§3.5).
    public static func depthStream(_ symbol: String) -> String { symbol.lowercased() + "@depth@100ms" }
    /// `{symbol}@trade` (§3.6).
    public static func tradeStream(_ symbol: String) -> String { symbol.lowercased() + "@trade" }
    /// Every order of the account, whichever connection or REST call placed it (§3.7).
    public static let ordersStream = "orders@account"
    /// Balance changes of the account (§3.8).
    public static let balancesStream = "balances@account"

    public static func subscribe(id: Int64, streams: [String]) -> String {
        "{\"id\":\(id),\"method\":\"subscribe\",\"params\":\(list(streams))}"
    }

    public static func unsubscribe(id: Int64, streams: [String]) -> String {
        "{\"id\":\(id),\"method\":\"unsubscribe\",\"params\":\(list(streams))}"
    }

    /// A method without parameters: `ping`, `time`, `conninfo`, `list_subscriptions`,
    /// `order.cancel_all`, `order.cancel_session`.
    public static func call(id: Int64, method: String) -> String {
        "{\"id\":\(id),\"method\":\(JSONString.quoted(method))}"
    }

    /// `order.cancel` by the exchange's order id (the only key the API cancels by).
    public static func cancel(id: Int64, orderID: Int64) -> String {
        "{\"id\":\(id),\"method\":\"order.cancel\",\"params\":{\"orderId\":\"\(orderID)\"}}"
    }

    /// `order.place`: a LIMIT order (stop-limit with `stopPrice`).
    public static func place(id: Int64, _ order: WSAPIOrderParameters) -> String {
        var params = "{\"symbol\":\(JSONString.quoted(order.symbol.lowercased()))"
        params += ",\"side\":\"\(order.side == .buy ? "BUY" : "SELL")\""
        params += ",\"type\":\"LIMIT\""
        params += ",\"timeInForce\":\"\(order.timeInForce.rawValue)\""
        params += ",\"price\":\"\(order.price.description)\""
        if let stop = order.stopPrice { params += ",\"stopPrice\":\"\(stop.description)\"" }
        params += ",\"quantity\":\"\(order.quantity.description)\""
        params += ",\"clientOrderId\":\(JSONString.quoted(order.clientOrderID))}"
        return "{\"id\":\(id),\"method\":\"order.place\",\"params\":\(params)}"
    }

    private static func list(_ streams: [String]) -> String {
        "[" + streams.map(JSONString.quoted).joined(separator: ",") + "]"
    }
}

/// What `order.place` sends (§2.4.8).
public struct WSAPIOrderParameters: Sendable, Hashable {
    /// `timeInForce`: `MOC` is maker-or-cancel (post-only).
    public enum TimeInForce: String, Sendable, Hashable {
        case goodTillCancel = "GTC"
        case immediateOrCancel = "IOC"
        case fillOrKill = "FOK"
        case makerOrCancel = "MOC"
    }

    public var symbol: String
    public var side: Side
    public var price: ExactDecimal
    public var quantity: ExactDecimal
    public var timeInForce: TimeInForce
    public var stopPrice: ExactDecimal?
    /// Always set: the key every lookup and retry decision rests on.
    public var clientOrderID: String

    public init(symbol: String, side: Side, price: ExactDecimal, quantity: ExactDecimal, timeInForce: TimeInForce,
                stopPrice: ExactDecimal? = nil, clientOrderID: String) {
        self.symbol = symbol
        self.side = side
        self.price = price
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.stopPrice = stopPrice
        self.clientOrderID = clientOrderID
    }
}
