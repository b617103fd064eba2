import CastorCore

/// One event from `/v1/order/events` (§6.3): a change in the life of one order.
///
/// The shape is compatible with the REST order-status object. Amount fields are optional
/// because Gemini omits them by type (market buys have `total_spend` instead of amounts;
/// `initial` has no `event_id`). For `.unknown` types every field is decoded best-effort:
/// a missing or malformed field becomes nil (or an empty `orderID`/`symbol`) instead of an
/// error, so a new event type never breaks the feed.
public struct OrderEvent: Sendable, Hashable, Decodable {
    public let type: OrderEventType
    /// Gemini's order id, digits kept exact (ids exceed 2^53).
    public let orderID: String
    /// Absent on `initial`.
    public let eventID: String?
    public let clientOrderID: String?
    /// The API key session that placed the order; `"UI"` for website orders.
    public let apiSession: String?
    /// Present when subscribed with a master key.
    public let accountName: String?
    public let symbol: Symbol
    /// Documented on every event; optional so a trimmed event (as in some third-party
    /// `booked` examples) still decodes. Upstream knows the side from the order id.
    public let side: Side?
    public let orderType: GeminiOrderType?
    /// IOC/FOK/MOC behaviour field (`behavior` in older docs).
    public let behavior: String?
    /// `timestamp`, seconds (sent as a string).
    public let timestampSeconds: Int64?
    /// `timestampms`, milliseconds.
    public let timestampMilliseconds: Int64?
    public let isLive: Bool?
    public let isCancelled: Bool?
    public let isHidden: Bool?
    public let avgExecutionPrice: ExactDecimal?
    /// Cumulative executed quantity.
    public let executedAmount: ExactDecimal?
    public let remainingAmount: ExactDecimal?
    /// Absent for market buys.
    public let originalAmount: ExactDecimal?
    /// Limit price; absent for market orders.
    public let price: ExactDecimal?
    /// Seen instead of `price` in older fill examples.
    public let originalPrice: ExactDecimal?
    /// Quote amount of a market buy.
    public let totalSpend: ExactDecimal?
    /// Why it was rejected, cancelled or its cancel refused.
    public let reason: GeminiReason?
    public let cancelCommandID: String?
    /// Connection-wide message counter for gap detection (§6.4).
    public let socketSequence: Int64?
    /// The execution, on `fill` events (required there).
    public let fill: OrderFill?

    /// Milliseconds since the epoch: `timestampms`, else `timestamp` × 1000; nil when
    /// absent or when the seconds overflow in milliseconds (hostile data must not trap).
    public var timestamp: Int64? {
        EpochMilliseconds.from(milliseconds: timestampMilliseconds, seconds: timestampSeconds)
    }

    /// The derived lifecycle state, when the flags are present.
    public var state: OrderState? {
        guard let isLive else { return nil }
        return OrderState(isLive: isLive, isCancelled: isCancelled ?? false)
    }

    private enum CodingKeys: String, CodingKey {
        case type
        case orderID = "order_id", eventID = "event_id", clientOrderID = "client_order_id"
        case apiSession = "api_session", accountName = "account_name", symbol, side
        case orderType = "order_type", behavior
        case timestamp, timestampms
        case isLive = "is_live", isCancelled = "is_cancelled", isHidden = "is_hidden"
        case avgExecutionPrice = "avg_execution_price", executedAmount = "executed_amount"
        case remainingAmount = "remaining_amount", originalAmount = "original_amount"
        case price, originalPrice = "original_price", totalSpend = "total_spend"
        case reason, cancelCommandID = "cancel_command_id", socketSequence = "socket_sequence"
        case fill
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = OrderEventType(wireValue: try c.decode(String.self, forKey: .type))
        self.type = type
        let strict = type.isKnown
        // Known types report bad fields; unknown ones keep whatever decodes.
        func field<T>(_ read: () throws -> T?) throws -> T? {
            strict ? try read() : (try? read()) ?? nil
        }
        func decimal(_ key: CodingKeys) throws -> ExactDecimal? {
            try field { try c.decodeIfPresent(ExactDecimal.self, forKey: key) }
        }
        func text(_ key: CodingKeys) throws -> String? {
            try field { try c.decodeIfPresent(String.self, forKey: key) }
        }
        func flag(_ key: CodingKeys) throws -> Bool? {
            try field { try c.decodeIfPresent(Bool.self, forKey: key) }
        }

        orderID = try field { try c.decodeID(.orderID) } ?? ""
        symbol = try field { try c.decode(Symbol.self, forKey: .symbol) } ?? Symbol("")
        eventID = try field { try c.decodeIDIfPresent(.eventID) }
        clientOrderID = try text(.clientOrderID)
        apiSession = try text(.apiSession)
        accountName = try text(.accountName)
        side = try field { try c.decodeIfPresent(Side.self, forKey: .side) }
        orderType = try field { try c.decodeIfPresent(GeminiOrderType.self, forKey: .orderType) }
        behavior = try text(.behavior)
        timestampSeconds = try field { try c.decodeFlexibleInt64IfPresent(.timestamp) }
        timestampMilliseconds = try field { try c.decodeFlexibleInt64IfPresent(.timestampms) }
        isLive = try flag(.isLive)
        isCancelled = try flag(.isCancelled)
        isHidden = try flag(.isHidden)
        avgExecutionPrice = try decimal(.avgExecutionPrice)
        executedAmount = try decimal(.executedAmount)
        remainingAmount = try decimal(.remainingAmount)
        originalAmount = try decimal(.originalAmount)
        price = try decimal(.price)
        originalPrice = try decimal(.originalPrice)
        totalSpend = try decimal(.totalSpend)
        reason = try field { try c.decodeIfPresent(GeminiReason.self, forKey: .reason) }
        cancelCommandID = try field { try c.decodeIDIfPresent(.cancelCommandID) }
        socketSequence = try field { try c.decodeFlexibleInt64IfPresent(.socketSequence) }
        if type == .fill {
            fill = try c.decode(OrderFill.self, forKey: .fill)
        } else {
            fill = try field { try c.decodeIfPresent(OrderFill.self, forKey: .fill) }
        }
    }
}
