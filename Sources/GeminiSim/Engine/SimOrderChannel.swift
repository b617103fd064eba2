/// How an order reached the venue: over REST (`POST /v1/order/new`) or over the new
/// WebSocket API (`order.place`). `GET /sim/ledger` shows it as the order's `via`.
public enum SimOrderChannel: String, Sendable, Hashable {
    case rest
    case websocket
}
