import CastorCore

/// One of our own executions from `/v1/mytrades` (§3.6).
public struct MyTrade: Sendable, Hashable, Decodable {
    /// How a trade was reversed: `manual` (keep for balance reconciliation) or `full`
    /// (ignore). Other values kept verbatim.
    public let tradeBreak: String?
    public let tid: Int64
    public let orderID: String
    public let clientOrderID: String?
    /// Upper-case in current responses; absent in older ones.
    public let symbol: Symbol?
    public let price: ExactDecimal
    public let amount: ExactDecimal
    public let feeAmount: ExactDecimal?
    public let feeCurrency: String?
    /// Our side (`Buy`/`Sell` on the wire).
    public let side: Side
    /// True when we were the taker.
    public let aggressor: Bool?
    public let timestampSeconds: Int64?
    public let timestampMilliseconds: Int64?
    public let exchange: String?
    public let isAuctionFill: Bool?
    public let isClearingFill: Bool?
    /// Why this row cannot be counted, or nil for a good row: a price, amount or fee that is
    /// not a decimal or lies outside `WireDecimal`'s range, or a `timestamp` whose
    /// milliseconds overflow. The row still decodes (so one bad row does not fail the whole
    /// `/v1/mytrades` page, and with it every start-up), but its decimals are then
    /// placeholders (zero) and it must be rejected and reported, never counted.
    public let rejection: String?

    /// Milliseconds since the epoch: `timestampms`, else `timestamp` × 1000; nil when absent
    /// or when the seconds overflow in milliseconds.
    public var timestampMs: Int64? {
        EpochMilliseconds.from(milliseconds: timestampMilliseconds, seconds: timestampSeconds)
    }

    private enum CodingKeys: String, CodingKey {
        case tradeBreak = "break", tid, orderID = "order_id", clientOrderID = "client_order_id", symbol
        case price, amount, feeAmount = "fee_amount", feeCurrency = "fee_currency", side = "type"
        case aggressor, timestamp, timestampms, exchange
        case isAuctionFill = "is_auction_fill", isClearingFill = "is_clearing_fill"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tradeBreak = try c.decodeIfPresent(String.self, forKey: .tradeBreak)
        tid = try c.decodeFlexibleInt64(.tid)
        orderID = try c.decodeID(.orderID)
        clientOrderID = try c.decodeIfPresent(String.self, forKey: .clientOrderID)
        symbol = try c.decodeIfPresent(Symbol.self, forKey: .symbol)
        var problems: [String] = []
        // A present decimal with an unusable value makes the row rejected, not the page.
        func decimal(_ key: CodingKeys, required: Bool) throws -> ExactDecimal? {
            do {
                return required ? try c.decode(ExactDecimal.self, forKey: key) : try c.decodeIfPresent(ExactDecimal.self, forKey: key)
            } catch DecodingError.dataCorrupted(let context) {
                problems.append("\(key.stringValue): \(context.debugDescription)")
            } catch DecodingError.typeMismatch(_, let context) {
                problems.append("\(key.stringValue): \(context.debugDescription)")
            }
            return required ? .zero : nil
        }
        price = try decimal(.price, required: true) ?? .zero
        amount = try decimal(.amount, required: true) ?? .zero
        feeAmount = try decimal(.feeAmount, required: false)
        feeCurrency = try c.decodeIfPresent(String.self, forKey: .feeCurrency)
        side = try c.decode(Side.self, forKey: .side)
        aggressor = try c.decodeIfPresent(Bool.self, forKey: .aggressor)
        timestampSeconds = try c.decodeFlexibleInt64IfPresent(.timestamp)
        timestampMilliseconds = try c.decodeFlexibleInt64IfPresent(.timestampms)
        exchange = try c.decodeIfPresent(String.self, forKey: .exchange)
        isAuctionFill = try c.decodeIfPresent(Bool.self, forKey: .isAuctionFill)
        isClearingFill = try c.decodeIfPresent(Bool.self, forKey: .isClearingFill)
        if timestampMilliseconds == nil, let s = timestampSeconds, s.multipliedReportingOverflow(by: 1000).overflow {
            problems.append("timestamp: \(s) s overflows in milliseconds")
        }
        rejection = problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}
