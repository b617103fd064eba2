/// Which of Gemini's APIs Castor speaks (`[venue] api`, `order_entry`, `ws_api_url`,
/// `cancel_on_disconnect`).
public struct VenueAPIConfiguration: Sendable, Hashable {
    /// The streams' API.
    public enum StreamAPI: String, Sendable, Hashable, CaseIterable {
        /// The new WebSocket API (`wss://ws.gemini.com`): market data and the account's
        /// order and balance streams on two sockets. The default. Needs an account-scoped
        /// key with time-based nonces.
        case websocket
        /// The archived feeds (`/v2/marketdata`, `/v1/order/events`): for master keys and
        /// keys with counter nonces, which the new API refuses.
        case legacy
    }

    /// How orders and cancels leave (the per-key queue is the same either way).
    public enum OrderEntry: String, Sendable, Hashable, CaseIterable {
        /// Signed REST requests (`/v1/order/new`, `/v1/order/cancel`). The default.
        case rest
        /// `order.place` / `order.cancel` on the authenticated socket of the new API, REST
        /// while that socket is down. Needs `api = "websocket"`.
        case websocket
    }

    public var api: StreamAPI = .websocket
    public var orderEntry: OrderEntry = .rest
    /// The new API's base URL for a custom venue (`wss://…`, or `ws://` to loopback); the
    /// sandbox's and production's are built in, the simulator's is its own.
    public var webSocketAPIURL: String?
    /// `cancelOnDisconnect=true` on the account socket: the exchange cancels the orders
    /// placed on it when it drops.
    public var cancelOnDisconnect = true
    /// Paper trading's market data source: the new API's base (`api = "websocket"`) or a
    /// `/v2/marketdata` URL (`"legacy"`); nil: Gemini production's.
    public var marketDataURL: String?

    public init() {}

    /// The new API's base URL of a built-in venue (nil for the simulator, whose port is
    /// chosen at start, and for a custom one, which names its own).
    public static func builtInURL(for venue: VenueConfiguration) -> String? {
        switch venue {
        case .production: "wss://ws.gemini.com"
        case .sandbox: "wss://ws.sandbox.gemini.com"
        case .simulator, .paper, .custom: nil
        }
    }
}
