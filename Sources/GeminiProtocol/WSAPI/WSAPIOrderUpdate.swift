import CastorCore

/// An `orderUpdate` event of `orders@account` / `orders@session` (WS-API.md §3.7), with
/// every field the wire may omit ("fields with empty or zero values may be omitted").
public struct WSAPIOrderUpdate: Sendable, Hashable {
    /// `X`.
    public enum Status: Sendable, Hashable, CustomStringConvertible {
        case new, open, partiallyFilled, filled, canceled, rejected, modified
        case unknown(String)

        init(_ text: String) {
            switch text.uppercased() {
            case "NEW": self = .new
            case "OPEN": self = .open
            case "PARTIALLY_FILLED": self = .partiallyFilled
            case "FILLED": self = .filled
            case "CANCELED", "CANCELLED": self = .canceled
            case "REJECTED": self = .rejected
            case "MODIFIED": self = .modified
            default: self = .unknown(text)
            }
        }

        public var description: String {
            switch self {
            case .new: "NEW"
            case .open: "OPEN"
            case .partiallyFilled: "PARTIALLY_FILLED"
            case .filled: "FILLED"
            case .canceled: "CANCELED"
            case .rejected: "REJECTED"
            case .modified: "MODIFIED"
            case .unknown(let raw): raw
            }
        }
    }

    /// `i`: the exchange order id (above 2^53: never a Double).
    public var orderID: Int64
    /// `c`.
    public var clientOrderID: String?
    /// `s`, upper-cased (events have been seen in both cases).
    public var symbol: String
    /// `S`.
    public var side: Side?
    /// `o`: `LIMIT`, `MARKET`, `STOP_LIMIT`, …
    public var orderType: String?
    public var status: Status
    /// `p`.
    public var price: ExactDecimal?
    /// `P`: 0 when not a stop order.
    public var stopPrice: ExactDecimal?
    /// `q`.
    public var quantity: ExactDecimal?
    /// `z`: remaining.
    public var remaining: ExactDecimal?
    /// `Z`: the last execution's quantity on `FILLED`/`PARTIALLY_FILLED`, the cumulative
    /// executed quantity on `CANCELED` and other events.
    public var executedField: ExactDecimal?
    /// `L`: the last execution's price.
    public var lastPrice: ExactDecimal?
    /// `t`: the trade id of a fill.
    public var tradeID: Int64?
    /// `n`: the fee of a fill.
    public var fee: ExactDecimal?
    /// `m`: maker on a fill.
    public var isMaker: Bool?
    /// `r`: why it was rejected or cancelled by the system.
    public var reason: String?
    /// `E`: event time, ns.
    public var eventTimeNs: Int64?
    /// `T`: update time, ns.
    public var updateTimeNs: Int64?

    public init(orderID: Int64, clientOrderID: String? = nil, symbol: String, side: Side? = nil, orderType: String? = nil,
                status: Status, price: ExactDecimal? = nil, stopPrice: ExactDecimal? = nil, quantity: ExactDecimal? = nil,
                remaining: ExactDecimal? = nil, executedField: ExactDecimal? = nil, lastPrice: ExactDecimal? = nil,
                tradeID: Int64? = nil, fee: ExactDecimal? = nil, isMaker: Bool? = nil, reason: String? = nil,
                eventTimeNs: Int64? = nil, updateTimeNs: Int64? = nil) {
        self.orderID = orderID
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.orderType = orderType
        self.status = status
        self.price = price
        self.stopPrice = stopPrice
        self.quantity = quantity
        self.remaining = remaining
        self.executedField = executedField
        self.lastPrice = lastPrice
        self.tradeID = tradeID
        self.fee = fee
        self.isMaker = isMaker
        self.reason = reason
        self.eventTimeNs = eventTimeNs
        self.updateTimeNs = updateTimeNs
    }

    /// Cumulative executed quantity as `q − z`, when both are present (the cross-check the
    /// docs' two readings of `Z` need, §3.7).
    public var executedFromRemaining: ExactDecimal? {
        guard let quantity, let remaining else { return nil }
        return quantity.subtractingReportingOverflow(remaining).flatMap { $0.isNegative ? nil : $0 }
    }
}

/// A `balanceUpdate` (§3.8): absolute amounts of the assets that changed.
public struct WSAPIBalanceUpdate: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        /// `a`, upper-cased.
        public var currency: String
        /// `f`: available to trade.
        public var available: ExactDecimal
        /// `c`: total including what open orders hold; nil when omitted.
        public var total: ExactDecimal?

        public init(currency: String, available: ExactDecimal, total: ExactDecimal?) {
            self.currency = currency
            self.available = available
            self.total = total
        }
    }

    public var rows: [Row]
    /// `E`, in milliseconds (sent in ms or ns; told by magnitude).
    public var eventTimeMs: Int64?

    public init(rows: [Row], eventTimeMs: Int64?) {
        self.rows = rows
        self.eventTimeMs = eventTimeMs
    }
}

/// One frame of the authenticated account socket.
public enum WSAPIAccountMessage: Sendable, Hashable {
    case reply(WSAPIReply)
    case orderUpdate(WSAPIOrderUpdate)
    case balanceUpdate(WSAPIBalanceUpdate)
    /// Valid JSON of another kind (market data, an undocumented event): ignored.
    case other
}
