/// Receives the contents of decoded market data v2 messages.
///
/// `MarketDataV2Decoder.decode(_:into:)` is generic over the handler, so calls are direct
/// and values are passed in registers or on the stack: decode + apply allocates nothing.
/// Buffers passed in are only valid for the duration of the call. Each message is fully
/// validated before the first call for it, so a handler never sees half a message.
/// Every requirement has an empty default; implement what you need.
public protocol MarketDataV2Handler {
    /// An `l2_updates` message: all its `changes`, in wire order. `carriesSnapshotExtras` is
    /// true when the message also had `trades` or `auction_events`, which only snapshots have;
    /// whether a message *is* the snapshot is the book keeper's call (the first for a
    /// symbol after (re)subscribing is).
    mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool)
    /// A `trade` message, or each entry of a snapshot's `trades` (after its `l2Updates`).
    mutating func trade(_ trade: MarketDataV2Trade)
    /// A `heartbeat`; `timestampMs` is nil when absent.
    mutating func heartbeat(timestampMs: Int64?)
    /// Each entry of a `candles_{tf}_updates` message, newest first as sent.
    mutating func candle(_ candle: CandleUpdate)
    /// Each entry of `mark_price_updates`.
    mutating func markPrice(_ update: MarkPriceUpdate)
    /// Each entry of `funding_amount_updates`.
    mutating func fundingAmount(_ update: FundingAmountUpdate)
    /// A top-level auction message, or each entry of a snapshot's `auction_events`.
    mutating func auction(_ event: AuctionEvent)
    /// A reply to subscribe/unsubscribe (`result` objects, errors included).
    mutating func subscriptionReply(_ reply: SubscriptionReply)
    /// A message with an unknown `type`; `type` holds its (unescaped) bytes. Log each new
    /// type once: Gemini adds types without notice (cryptofeed#354).
    mutating func unknownMessage(type: UnsafeRawBufferPointer)
}

extension MarketDataV2Handler {
    public mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {}
    public mutating func trade(_ trade: MarketDataV2Trade) {}
    public mutating func heartbeat(timestampMs: Int64?) {}
    public mutating func candle(_ candle: CandleUpdate) {}
    public mutating func markPrice(_ update: MarkPriceUpdate) {}
    public mutating func fundingAmount(_ update: FundingAmountUpdate) {}
    public mutating func auction(_ event: AuctionEvent) {}
    public mutating func subscriptionReply(_ reply: SubscriptionReply) {}
    public mutating func unknownMessage(type: UnsafeRawBufferPointer) {}
}
