/// What `castor status` shows: the running engine's state at one moment, as the control
/// socket answers it (JSON, snake_case keys) and as the text table prints it.
///
/// Plain values only (decimals as their exact text), so the daemon shell and the command
/// line can carry it without knowing the engine's types.
public struct StatusReport: Codable, Sendable, Equatable {
    public struct Strategy: Codable, Sendable, Equatable {
        public var name: String?
        /// `[strategy.params]` as written.
        public var parameters: [String: String]
        public init(name: String?, parameters: [String: String]) {
            self.name = name
            self.parameters = parameters
        }
    }

    public struct Feed: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey {
            case name, state, lastMessageAgeMs = "last_message_age_ms", timesLive = "times_live"
            case lastDisconnectCause = "last_disconnect_cause"
        }
        public var name: String
        public var state: String
        /// Milliseconds since its last message; nil before the first.
        public var lastMessageAgeMs: Int64?
        /// How many times it went live (reconnects = this − 1).
        public var timesLive: Int
        /// Why it last dropped (a short code such as `heartbeat_silence`); nil if it never did.
        public var lastDisconnectCause: String?
        public init(name: String, state: String, lastMessageAgeMs: Int64?, timesLive: Int, lastDisconnectCause: String? = nil) {
            self.name = name
            self.state = state
            self.lastMessageAgeMs = lastMessageAgeMs
            self.timesLive = timesLive
            self.lastDisconnectCause = lastDisconnectCause
        }
    }

    public struct OpenOrder: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey {
            case clientOrderID = "client_order_id", orderID = "order_id", symbol, side, price, amount, executed, phase
            case ageMs = "age_ms"
        }
        public var clientOrderID: String
        public var orderID: String?
        public var symbol: String
        public var side: String
        public var price: String
        public var amount: String
        public var executed: String
        public var phase: String
        /// Milliseconds since the intent was made.
        public var ageMs: Int64?
        public init(clientOrderID: String, orderID: String?, symbol: String, side: String, price: String, amount: String,
                    executed: String, phase: String, ageMs: Int64?) {
            self.clientOrderID = clientOrderID
            self.orderID = orderID
            self.symbol = symbol
            self.side = side
            self.price = price
            self.amount = amount
            self.executed = executed
            self.phase = phase
            self.ageMs = ageMs
        }
    }

    public struct Position: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey { case symbol, base, quoteCash = "quote_cash", fills }
        public var symbol: String
        /// Signed base amount from every fill counted (the journal's, all time).
        public var base: String
        /// Quote cash flow of those fills, quote fees included.
        public var quoteCash: String
        public var fills: Int
        public init(symbol: String, base: String, quoteCash: String, fills: Int) {
            self.symbol = symbol
            self.base = base
            self.quoteCash = quoteCash
            self.fills = fills
        }
    }

    public struct Balance: Codable, Sendable, Equatable {
        public var currency: String
        public var available: String
        public var total: String
        public init(currency: String, available: String, total: String) {
            self.currency = currency
            self.available = available
            self.total = total
        }
    }

    /// One symbol's profit and loss, in its quote currency.
    public struct SymbolPnL: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey {
            case symbol, mark, sessionRealized = "session_realized", sessionUnrealized = "session_unrealized"
            case sessionFees = "session_fees", allTimeTotal = "all_time_total"
        }
        public var symbol: String
        /// The mid it is marked at; nil when no book is known.
        public var mark: String?
        /// This session (FIFO; a position carried in counts from its first mark).
        public var sessionRealized: String
        public var sessionUnrealized: String?
        public var sessionFees: String
        /// All time, from the journal's totals: quote cash + position × mark (fees included).
        public var allTimeTotal: String?
        public init(symbol: String, mark: String?, sessionRealized: String, sessionUnrealized: String?, sessionFees: String,
                    allTimeTotal: String?) {
            self.symbol = symbol
            self.mark = mark
            self.sessionRealized = sessionRealized
            self.sessionUnrealized = sessionUnrealized
            self.sessionFees = sessionFees
            self.allTimeTotal = allTimeTotal
        }
    }

    public struct Risk: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey {
            case killSwitch = "kill_switch", killSwitchCause = "kill_switch_cause", killSwitchDetail = "kill_switch_detail"
            case openOrders = "open_orders", maxOpenOrders = "max_open_orders", maxPosition = "max_position"
            case maxOrderNotional = "max_order_notional", maxOrdersPerMinute = "max_orders_per_minute"
        }
        public var killSwitch: Bool
        public var killSwitchCause: String?
        public var killSwitchDetail: String?
        public var openOrders: Int
        /// The default limits (per-symbol overrides apart), `nil` where a check is off.
        public var maxOpenOrders: Int?
        public var maxPosition: String?
        public var maxOrderNotional: String?
        public var maxOrdersPerMinute: Int?
        public init(killSwitch: Bool, killSwitchCause: String?, killSwitchDetail: String?, openOrders: Int,
                    maxOpenOrders: Int?, maxPosition: String?, maxOrderNotional: String?, maxOrdersPerMinute: Int?) {
            self.killSwitch = killSwitch
            self.killSwitchCause = killSwitchCause
            self.killSwitchDetail = killSwitchDetail
            self.openOrders = openOrders
            self.maxOpenOrders = maxOpenOrders
            self.maxPosition = maxPosition
            self.maxOrderNotional = maxOrderNotional
            self.maxOrdersPerMinute = maxOrdersPerMinute
        }
    }

    /// The key's request queue.
    public struct Requests: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey { case queued, privateInFlight = "private_in_flight" }
        public var queued: Int
        public var privateInFlight: Bool
        public init(queued: Int, privateInFlight: Bool) {
            self.queued = queued
            self.privateInFlight = privateInFlight
        }
    }

    enum CodingKeys: String, CodingKey {
        case phase, venue, api, orderEntry = "order_entry", strategy, feeds, openOrders = "open_orders", positions, balances,
             pnl, risk, requests
    }

    public var phase: String
    public var venue: String
    /// The streams' API: `websocket` (the new one) or `legacy`.
    public var api: String
    /// How orders leave: `rest` or `websocket`.
    public var orderEntry: String
    public var strategy: Strategy
    public var feeds: [Feed]
    public var openOrders: [OpenOrder]
    public var positions: [Position]
    public var balances: [Balance]
    public var pnl: [SymbolPnL]
    public var risk: Risk
    public var requests: Requests

    public init(phase: String, venue: String, api: String = "legacy", orderEntry: String = "rest", strategy: Strategy,
                feeds: [Feed], openOrders: [OpenOrder], positions: [Position], balances: [Balance], pnl: [SymbolPnL],
                risk: Risk, requests: Requests) {
        self.phase = phase
        self.venue = venue
        self.api = api
        self.orderEntry = orderEntry
        self.strategy = strategy
        self.feeds = feeds
        self.openOrders = openOrders
        self.positions = positions
        self.balances = balances
        self.pnl = pnl
        self.risk = risk
        self.requests = requests
    }

    /// Reads a daemon's answer; `api` and `order_entry` default for a daemon older than them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        phase = try c.decode(String.self, forKey: .phase)
        venue = try c.decode(String.self, forKey: .venue)
        api = try c.decodeIfPresent(String.self, forKey: .api) ?? "legacy"
        orderEntry = try c.decodeIfPresent(String.self, forKey: .orderEntry) ?? "rest"
        strategy = try c.decode(Strategy.self, forKey: .strategy)
        feeds = try c.decode([Feed].self, forKey: .feeds)
        openOrders = try c.decode([OpenOrder].self, forKey: .openOrders)
        positions = try c.decode([Position].self, forKey: .positions)
        balances = try c.decode([Balance].self, forKey: .balances)
        pnl = try c.decode([SymbolPnL].self, forKey: .pnl)
        risk = try c.decode(Risk.self, forKey: .risk)
        requests = try c.decode(Requests.self, forKey: .requests)
    }
}
