import CastorCore

/// One entry of `mark_price_updates` `changes` (perpetuals).
public struct MarkPriceUpdate: Sendable, Equatable {
    public var symbol: SymbolID
    /// Nanoseconds since the epoch.
    public var timestampNs: Int64
    public var markPrice: ExactDecimal
    public var spotIndex: ExactDecimal?
}

/// One entry of `funding_amount_updates` `changes` (perpetuals).
public struct FundingAmountUpdate: Sendable, Equatable {
    public var symbol: SymbolID
    /// Nanoseconds since the epoch.
    public var timestampNs: Int64
    public var fundingAmount: ExactDecimal
    /// `funding_date_time`, nanoseconds.
    public var fundingDateTimeNs: Int64?
    public var fundingIntervalMinutes: Int64?
    public var isRealized: Bool?
}
