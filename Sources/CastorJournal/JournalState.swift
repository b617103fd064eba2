/// Everything the engine needs from the journal to resume after a restart, before it
/// reconciles with the exchange.
public struct JournalState: Sendable, Hashable {
    /// An intent whose order is not known to be finished, with what was last seen of it.
    public struct OpenOrder: Sendable, Hashable {
        public var intent: JournalIntent
        public var state: JournalOrderState
        /// The newest journaled event; nil for a `pending` intent never acknowledged.
        public var lastEvent: JournalOrderEvent?
    }

    /// Non-terminal orders, oldest intent first.
    public var openOrders: [OpenOrder]
    /// What every journaled fill adds up to, by lower-case symbol (read from the aggregate
    /// kept with each fill insert, not recomputed from the fills).
    public var positions: [String: JournalPosition]
    /// Newest fill time per lower-case symbol (Unix ms): the `timestamp` to pass to
    /// `/v1/mytrades` when catching up; fills at that instant come back and are deduplicated.
    public var lastFillMs: [String: Int64]
    /// The highest client-order counter handed out or reserved (0 if none); resume above it.
    public var clientOrderCounter: Int64
    /// Caller-owned metadata (boot id, config hash, …); the journal's own keys are excluded.
    public var meta: [String: String]
    /// The highest rowid in `fills` when this state was read: the fills `positions` counts
    /// (see `Journal.containsFill(tradeID:countedThroughRow:)`).
    public var fillRowHighWater: Int64 = 0
}
