import CastorCore

/// The fields of `POST /v1/order/new`, as the client sent them.
///
/// Decimals stay as the client's strings so the engine can validate them itself and quote
/// them back verbatim in messages (`Invalid quantity for symbol BTCUSD: 0.0008535960807300151`),
/// exactly as Gemini does; side and type stay raw so unknown values get Gemini's reasons.
public struct SimOrderRequest: Sendable, Hashable {
    /// Symbol in any case (`btcusd`, `BTCUSD`).
    public var symbol: String
    /// Base-currency quantity, a decimal string.
    public var amount: String
    /// Limit price, a decimal string.
    public var price: String
    /// `buy` or `sell`.
    public var side: String
    /// `exchange limit` or `exchange stop limit`.
    public var type: String
    /// At most one of `maker-or-cancel`, `immediate-or-cancel`, `fill-or-kill`.
    public var options: [String]
    /// Stop price for `exchange stop limit`.
    public var stopPrice: String?
    /// Client's id, echoed in every event.
    public var clientOrderId: String?
    /// REST or the new WebSocket API (the ledger's `via`).
    public var channel: SimOrderChannel
    /// The WebSocket API connection that placed the order (its `orders@session`,
    /// `order.cancel_session` and `cancelOnDisconnect` scope); nil over REST.
    public var connection: UInt64?

    public init(symbol: String, amount: String, price: String, side: String,
                type: String = "exchange limit", options: [String] = [],
                stopPrice: String? = nil, clientOrderId: String? = nil,
                channel: SimOrderChannel = .rest, connection: UInt64? = nil) {
        self.channel = channel
        self.connection = connection
        self.symbol = symbol
        self.amount = amount
        self.price = price
        self.side = side
        self.type = type
        self.options = options
        self.stopPrice = stopPrice
        self.clientOrderId = clientOrderId
    }

    /// Convenience for tests and the synthetic market: typed side and exact decimals.
    public init(symbol: String, side: Side, amount: ExactDecimal, price: ExactDecimal,
                options: [String] = [], stopPrice: ExactDecimal? = nil, clientOrderId: String? = nil) {
        self.init(symbol: symbol, amount: amount.description, price: price.description,
                  side: side.rawValue, type: stopPrice == nil ? "exchange limit" : "exchange stop limit",
                  options: options, stopPrice: stopPrice?.description, clientOrderId: clientOrderId)
    }
}
