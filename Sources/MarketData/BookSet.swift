import Glibc
import CastorCore
import GeminiProtocol

/// Counts of what a `BookSet` has seen, for logs and health checks.
public struct BookSetCounters: Sendable, Equatable {
    public var l2Messages = 0
    public var snapshots = 0
    public var trades = 0
    public var heartbeats = 0
    public var candles = 0
    public var auctions = 0
    public var perpetualUpdates = 0
    public var subscriptionErrors = 0
    public var unknownMessages = 0
    /// `l2_updates` after which the book was crossed or locked.
    public var crossedUpdates = 0
    /// Removals of levels that were not in the book.
    public var removalsOfAbsentLevels = 0
    /// Changes ignored because their price was not representable.
    public var rejectedChanges = 0
    public init() {}
}

/// The books of all subscribed symbols, indexed by `SymbolID`, driven by
/// `MarketDataV2Decoder` as its handler; also the last trade per symbol.
///
/// Snapshot rule: the first `l2_updates` for a symbol after creation or `reset()` replaces
/// that book; later ones are deltas. Crossed books are counted and visible as
/// `book(_:)?.isCrossed` / `crossedSymbols`, so the owner can resubscribe.
///
/// Value type, not thread-safe: confine it to the market-data serial queue.
public struct BookSet: MarketDataV2Handler, Sendable {
    /// Books by `SymbolID.index`; grows when a new symbol appears.
    public private(set) var books: [L2OrderBook] = []
    /// Most recent live trade per symbol (snapshot history does not overwrite a live one).
    public private(set) var lastTrades: [MarketDataV2Trade?] = []
    public private(set) var counters = BookSetCounters()
    /// Last heartbeat timestamp (ms), for staleness checks.
    public private(set) var lastHeartbeatMs: Int64?
    /// Symbols whose book is crossed right now.
    public private(set) var crossedSymbols: Set<SymbolID> = []
    /// Distinct unknown message types seen, in order of first appearance (log each once).
    public private(set) var unknownTypes: [String] = []
    /// The last subscription error reply, if any.
    public private(set) var lastSubscriptionError: SubscriptionReply?

    public init() {}

    /// The book of `symbol`, if any message for it arrived.
    public func book(_ symbol: SymbolID) -> L2OrderBook? {
        symbol.index < books.count ? books[symbol.index] : nil
    }

    /// The last trade of `symbol`.
    public func lastTrade(_ symbol: SymbolID) -> MarketDataV2Trade? {
        symbol.index < lastTrades.count ? lastTrades[symbol.index] : nil
    }

    /// Empties every book so the next `l2_updates` per symbol is taken as its snapshot:
    /// call on reconnect or resubscribe.
    public mutating func reset() {
        for i in books.indices { books[i].reset() }
        crossedSymbols.removeAll()
    }

    /// Resets one symbol's book (after resubscribing just that symbol).
    public mutating func reset(_ symbol: SymbolID) {
        guard symbol.index < books.count else { return }
        books[symbol.index].reset()
        crossedSymbols.remove(symbol)
    }

    @inline(__always)
    private mutating func ensure(_ symbol: SymbolID) {
        while books.count <= symbol.index {
            books.append(L2OrderBook())
            lastTrades.append(nil)
        }
    }

    public mutating func l2Updates(symbol: SymbolID, changes: UnsafeBufferPointer<L2Change>, carriesSnapshotExtras: Bool) {
        ensure(symbol)
        counters.l2Messages += 1
        let outcome: L2ApplyOutcome
        if books[symbol.index].hasSnapshot {
            outcome = books[symbol.index].applyDelta(changes)
        } else {
            counters.snapshots += 1
            outcome = books[symbol.index].applySnapshot(changes)
        }
        counters.removalsOfAbsentLevels += outcome.removalsOfAbsentLevels
        counters.rejectedChanges += outcome.rejectedChanges
        if outcome.crossed {
            counters.crossedUpdates += 1
            crossedSymbols.insert(symbol)
        } else if !crossedSymbols.isEmpty {
            crossedSymbols.remove(symbol)
        }
    }

    public mutating func trade(_ trade: MarketDataV2Trade) {
        ensure(trade.symbol)
        counters.trades += 1
        // Snapshot trades are history, newest first; keep the first seen (newest) unless a
        // live trade is already known.
        if trade.fromSnapshot, let existing = lastTrades[trade.symbol.index],
           !existing.fromSnapshot || existing.eventID >= trade.eventID { return }
        lastTrades[trade.symbol.index] = trade
    }

    public mutating func heartbeat(timestampMs: Int64?) {
        counters.heartbeats += 1
        if let timestampMs { lastHeartbeatMs = timestampMs }
    }

    public mutating func candle(_ candle: CandleUpdate) { counters.candles += 1 }
    public mutating func auction(_ event: AuctionEvent) { counters.auctions += 1 }
    public mutating func markPrice(_ update: MarkPriceUpdate) { counters.perpetualUpdates += 1 }
    public mutating func fundingAmount(_ update: FundingAmountUpdate) { counters.perpetualUpdates += 1 }

    public mutating func subscriptionReply(_ reply: SubscriptionReply) {
        if reply.isError {
            counters.subscriptionErrors += 1
            lastSubscriptionError = reply
        }
    }

    public mutating func unknownMessage(type: UnsafeRawBufferPointer) {
        counters.unknownMessages += 1
        // Compare bytes with the types already seen: no allocation unless the type is new.
        for i in unknownTypes.indices {
            var known = unknownTypes[i]
            let same = known.withUTF8 { k in
                k.count == type.count && (k.count == 0 || memcmp(k.baseAddress!, type.baseAddress!, k.count) == 0)
            }
            if same { return }
        }
        unknownTypes.append(String(decoding: type, as: UTF8.self))
    }
}
