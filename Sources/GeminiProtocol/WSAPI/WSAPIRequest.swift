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
        var bytes: [UInt8] = []
        place(id: id, order, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `order.place`'s frame appended to `out` as UTF-8: the same text as
    /// `place(id:_:)`, written without intermediate strings (it is on the tick-to-order
    /// path; the caller keeps `out`'s capacity from frame to frame).
    public static func place(id: Int64, _ order: WSAPIOrderParameters, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        ExactDecimal(mantissa: Int128(id)).appendText(to: &out)
        out.append(contentsOf: #","method":"order.place","params":{"symbol":"#.utf8)
        appendLowercasedSymbol(order.symbol, to: &out)
        out.append(contentsOf: order.side == .buy ? #","side":"BUY""#.utf8 : #","side":"SELL""#.utf8)
        out.append(contentsOf: #","type":"LIMIT","timeInForce":""#.utf8)
        out.append(contentsOf: order.timeInForce.rawValue.utf8)
        out.append(contentsOf: #"","price":""#.utf8)
        order.price.appendText(to: &out)
        if let stop = order.stopPrice {
            out.append(contentsOf: #"","stopPrice":""#.utf8)
            stop.appendText(to: &out)
        }
        out.append(contentsOf: #"","quantity":""#.utf8)
        order.quantity.appendText(to: &out)
        out.append(contentsOf: #"","clientOrderId":"#.utf8)
        JSONString.append(order.clientOrderID, to: &out)
        out.append(contentsOf: "}}".utf8)
    }

    /// A quoted symbol in lower case; ASCII (every Gemini symbol) without a new string.
    private static func appendLowercasedSymbol(_ symbol: String, to out: inout [UInt8]) {
        var symbol = symbol
        let ascii = symbol.withUTF8 { bytes -> Bool in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            else { return false }
            out.append(UInt8(ascii: "\""))
            for byte in bytes { out.append(byte &- 65 < 26 ? byte | 0x20 : byte) }
            out.append(UInt8(ascii: "\""))
            return true
        }
        if !ascii { JSONString.append(symbol.lowercased(), to: &out) }
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
