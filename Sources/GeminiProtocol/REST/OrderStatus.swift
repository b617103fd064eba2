import CastorCore

/// An order as REST returns it: from `/v1/order/new`, `/v1/order/cancel`,
/// `/v1/order/status`, `/v1/orders` and `/v1/orders/history` (§3.1–3.5).
public struct OrderStatus: Sendable, Hashable, Decodable {
    /// Digits kept exact; ids exceed 2^53 (`"73751560172006688"`).
    public let orderID: String
    public let clientOrderID: String?
    public let symbol: Symbol
    public let exchange: String?
    public let side: Side
    public let type: GeminiOrderType
    public let options: [String]
    /// Limit price; absent for market orders.
    public let price: ExactDecimal?
    /// `"0.00"` or `"0"` while unfilled.
    public let avgExecutionPrice: ExactDecimal?
    public let executedAmount: ExactDecimal?
    public let remainingAmount: ExactDecimal?
    /// Absent for market buys.
    public let originalAmount: ExactDecimal?
    public let stopPrice: ExactDecimal?
    /// Seconds (sent as a string).
    public let timestampSeconds: Int64?
    public let timestampMilliseconds: Int64?
    public let isLive: Bool
    public let isCancelled: Bool
    public let isHidden: Bool?
    public let wasForced: Bool?
    /// Cancel reason on cancelled orders (`Requested`, `MakerOrCancelWouldTake`, …).
    public let reason: GeminiReason?
    /// With `include_trades`; element shape undocumented, assumed `/v1/mytrades`-like.
    public let trades: [MyTrade]?

    /// `is_cancelled` → cancelled, else `is_live` → open, else filled (§3.1).
    public var state: OrderState { OrderState(isLive: isLive, isCancelled: isCancelled) }

    /// Milliseconds since the epoch: `timestampms`, else `timestamp` × 1000; nil when absent
    /// or when the seconds overflow in milliseconds.
    public var timestampMs: Int64? {
        EpochMilliseconds.from(milliseconds: timestampMilliseconds, seconds: timestampSeconds)
    }

    private enum CodingKeys: String, CodingKey {
        case orderID = "order_id", id, clientOrderID = "client_order_id", symbol, exchange, side, type, options
        case price, avgExecutionPrice = "avg_execution_price", executedAmount = "executed_amount"
        case remainingAmount = "remaining_amount", originalAmount = "original_amount", stopPrice = "stop_price"
        case timestamp, timestampms, isLive = "is_live", isCancelled = "is_cancelled"
        case isHidden = "is_hidden", wasForced = "was_forced", reason, trades
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // `id` duplicates `order_id`; accept either so a trimmed body still decodes.
        if let id = try c.decodeIDIfPresent(.orderID) {
            orderID = id
        } else {
            orderID = try c.decodeID(.id)
        }
        clientOrderID = try c.decodeIfPresent(String.self, forKey: .clientOrderID)
        symbol = try c.decode(Symbol.self, forKey: .symbol)
        exchange = try c.decodeIfPresent(String.self, forKey: .exchange)
        side = try c.decode(Side.self, forKey: .side)
        type = try c.decode(GeminiOrderType.self, forKey: .type)
        options = try c.decodeIfPresent([String].self, forKey: .options) ?? []
        price = try c.decodeIfPresent(ExactDecimal.self, forKey: .price)
        avgExecutionPrice = try c.decodeIfPresent(ExactDecimal.self, forKey: .avgExecutionPrice)
        executedAmount = try c.decodeIfPresent(ExactDecimal.self, forKey: .executedAmount)
        remainingAmount = try c.decodeIfPresent(ExactDecimal.self, forKey: .remainingAmount)
        originalAmount = try c.decodeIfPresent(ExactDecimal.self, forKey: .originalAmount)
        stopPrice = try c.decodeIfPresent(ExactDecimal.self, forKey: .stopPrice)
        timestampSeconds = try c.decodeFlexibleInt64IfPresent(.timestamp)
        timestampMilliseconds = try c.decodeFlexibleInt64IfPresent(.timestampms)
        isLive = try c.decode(Bool.self, forKey: .isLive)
        isCancelled = try c.decode(Bool.self, forKey: .isCancelled)
        isHidden = try c.decodeIfPresent(Bool.self, forKey: .isHidden)
        wasForced = try c.decodeIfPresent(Bool.self, forKey: .wasForced)
        reason = try c.decodeIfPresent(GeminiReason.self, forKey: .reason)
        trades = try c.decodeIfPresent([MyTrade].self, forKey: .trades)
    }
}
