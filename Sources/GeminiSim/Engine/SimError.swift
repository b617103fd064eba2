/// A refused request, carrying what Gemini's error body carries (API.md §4.1): the exact
/// machine `reason`, the HTTP status and a human `message` shaped like Gemini's.
///
/// The server renders it as `{"result":"error","reason":…,"message":…}` with `httpStatus`.
public struct SimError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Gemini's reason code, e.g. `InvalidQuantity`.
    public let reason: String
    /// 400, 404, 406 …
    public let httpStatus: Int
    /// Human text, e.g. `Invalid quantity for symbol BTCUSD: 0.0008535960807300151`.
    public let message: String

    public init(reason: String, httpStatus: Int = 400, message: String) {
        self.reason = reason
        self.httpStatus = httpStatus
        self.message = message
    }

    public var description: String { "\(httpStatus) \(reason): \(message)" }

    static func invalidSymbol(_ s: String) -> SimError {
        SimError(reason: "InvalidSymbol", message: "Invalid symbol: \(s)")
    }
    static func invalidQuantity(_ symbol: String, _ raw: String) -> SimError {
        SimError(reason: "InvalidQuantity", message: "Invalid quantity for symbol \(symbol): \(raw)")
    }
    static func invalidPrice(_ symbol: String, _ raw: String) -> SimError {
        SimError(reason: "InvalidPrice", message: "Invalid price for symbol \(symbol): \(raw)")
    }
    static func invalidStopPrice(_ symbol: String, _ raw: String) -> SimError {
        SimError(reason: "InvalidStopPrice", message: "Invalid stop price for symbol \(symbol): \(raw)")
    }
    static func orderNotFound(_ id: String) -> SimError {
        SimError(reason: "OrderNotFound", httpStatus: 404, message: "Order \(id) not found")
    }
}
