import CastorCore
import GeminiProtocol

/// The body of a `/v1/order/new` request, minus `request`/`nonce` (the sender adds them).
public struct NewOrderRequest: Sendable, Hashable {
    public let clientOrderID: ClientOrderID
    public let symbol: Symbol
    public let side: Side
    public let amount: ExactDecimal
    public let price: ExactDecimal
    public let type: GeminiOrderType
    public let option: OrderOption?
    public let deadlineMs: Int64?

    init(_ id: ClientOrderID, _ intent: OrderIntent) {
        clientOrderID = id
        symbol = intent.symbol
        side = intent.side
        amount = intent.amount
        price = intent.price
        type = .exchangeLimit
        option = intent.option
        deadlineMs = intent.deadlineMs
    }
}
