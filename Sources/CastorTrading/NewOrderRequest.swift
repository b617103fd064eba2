import CastorCore

/// A limit order to place, as the order manager hands it to the venue (which spells it in
/// its wire format: Gemini's `/v1/order/new` with type `exchange limit`).
public struct NewOrderRequest: Sendable, Hashable {
    public let clientOrderID: ClientOrderID
    public let symbol: Symbol
    public let side: Side
    public let amount: ExactDecimal
    public let price: ExactDecimal
    public let option: OrderOption?
    public let deadlineMs: Int64?

    init(_ id: ClientOrderID, _ intent: OrderIntent) {
        clientOrderID = id
        symbol = intent.symbol
        side = intent.side
        amount = intent.amount
        price = intent.price
        option = intent.option
        deadlineMs = intent.deadlineMs
    }
}
