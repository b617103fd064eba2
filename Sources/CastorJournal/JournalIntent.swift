import CastorCore

/// An order Castor decided to place, journaled before it is sent so that a crash between
/// "send" and "acknowledged" leaves a client order id to reconcile.
public struct JournalIntent: Sendable, Hashable {
    /// Castor's unique id for the order, also sent to Gemini as `client_order_id`.
    public var clientOrderID: String
    /// Name of the strategy instance that asked for the order.
    public var strategy: String
    /// Gemini symbol; stored lower-case (REST spelling) whatever the caller passes.
    public var symbol: String
    public var side: Side
    /// Limit price; nil for market orders.
    public var price: ExactDecimal?
    public var amount: ExactDecimal
    /// Gemini order options (`maker-or-cancel`, `immediate-or-cancel`, …). No commas.
    public var options: [String]
    /// Wall-clock time the intent was made, Unix milliseconds.
    public var createdMs: Int64

    public init(
        clientOrderID: String, strategy: String, symbol: String, side: Side,
        price: ExactDecimal?, amount: ExactDecimal, options: [String] = [], createdMs: Int64
    ) {
        self.clientOrderID = clientOrderID
        self.strategy = strategy
        self.symbol = symbol.lowercased()
        self.side = side
        self.price = price
        self.amount = amount
        self.options = options
        self.createdMs = createdMs
    }
}
