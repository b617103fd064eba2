import CastorCore

extension SimulatorCore {
    /// Answers one public GET (API.md §3.11); `path` has no query, `query` maps names to values.
    func handlePublic(path: String, query: [String: String]) -> Result<GeminiJSON, GeminiErrorReply> {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (parts.count, parts.first, parts.dropFirst().first) {
        case (2, "v1", "symbols"):
            return .success(.array(engine.symbols.map { .string($0.lowercased) }))
        case (4, "v1", "symbols") where parts[2] == "details":
            return symbol(parts[3]).map(GeminiWireFormat.symbolDetails)
        case (3, "v1", "pubticker"):
            return symbol(parts[2]).map(tickerV1)
        case (3, "v2", "ticker"):
            return symbol(parts[2]).map(tickerV2)
        case (3, "v1", "book"):
            return symbol(parts[2]).map { book($0, query: query) }
        case (3, "v1", "trades"):
            return symbol(parts[2]).flatMap { trades($0, query: query) }
        case (4, "v2", "candles"):
            return symbol(parts[2]).flatMap { candles($0, timeframe: parts[3]) }
        default:
            return .failure(.endpointNotFound(path))
        }
    }

    private func symbol(_ name: String) -> Result<SimSymbol, GeminiErrorReply> {
        engine.symbol(name).map { .success($0) } ?? .failure(.invalidSymbol(name))
    }

    /// Trades of the last 24 h (as far as the engine keeps them), oldest first.
    private func lastDayTrades(_ s: SimSymbol) -> [SimPublicTrade] {
        let from = clock.nowMilliseconds() - 86_400_000
        return engine.recentTrades(symbol: s.symbol, limit: engine.recentTradeLimit).filter { $0.timestampms >= from }.reversed()
    }

    private func tickerV1(_ s: SimSymbol) -> GeminiJSON {
        let top = engine.topOfBook(symbol: s.symbol)
        var base = ExactDecimal.zero, quote = ExactDecimal.zero
        for t in lastDayTrades(s) {
            base += t.quantity
            quote += t.quantity * t.price
        }
        var m: [(String, GeminiJSON)] = []
        if let bid = top.bid { m.append(("bid", GeminiWireFormat.decimal(bid))) }
        if let ask = top.ask { m.append(("ask", GeminiWireFormat.decimal(ask))) }
        if let last = engine.lastTradePrice[s.symbol] { m.append(("last", GeminiWireFormat.decimal(last))) }
        m.append(("volume", .object([(s.base, GeminiWireFormat.decimal(base)), (s.quote, GeminiWireFormat.decimal(quote)),
                                     ("timestamp", .int(clock.nowMilliseconds()))])))
        return .object(m)
    }

    private func tickerV2(_ s: SimSymbol) -> GeminiJSON {
        let trades = lastDayTrades(s)
        let top = engine.topOfBook(symbol: s.symbol)
        let last = engine.lastTradePrice[s.symbol]
        var m: [(String, GeminiJSON)] = [("symbol", .string(s.symbol))]
        if let open = trades.first?.price ?? last { m.append(("open", GeminiWireFormat.decimal(open))) }
        if let high = trades.map(\.price).max() ?? last { m.append(("high", GeminiWireFormat.decimal(high))) }
        if let low = trades.map(\.price).min() ?? last { m.append(("low", GeminiWireFormat.decimal(low))) }
        if let close = trades.last?.price ?? last { m.append(("close", GeminiWireFormat.decimal(close))) }
        // 24 hourly closes, newest first; an hour without trades repeats the previous close.
        let now = clock.nowMilliseconds()
        var changes: [GeminiJSON] = []
        for hour in 0..<24 {
            let end = now - Int64(hour) * 3_600_000
            if let price = trades.last(where: { $0.timestampms <= end })?.price ?? last {
                changes.append(GeminiWireFormat.decimal(price))
            }
        }
        m.append(("changes", .array(changes)))
        if let bid = top.bid { m.append(("bid", GeminiWireFormat.decimal(bid))) }
        if let ask = top.ask { m.append(("ask", GeminiWireFormat.decimal(ask))) }
        return .object(m)
    }

    private func book(_ s: SimSymbol, query: [String: String]) -> GeminiJSON {
        func limit(_ name: String) -> Int? {
            let n = query[name].flatMap { Int($0) } ?? 50
            return n <= 0 ? nil : n
        }
        var snapshot = engine.book(symbol: s.symbol) ?? SimBookSnapshot(symbol: s.symbol, bids: [], asks: [])
        if let n = limit("limit_bids") { snapshot.bids = Array(snapshot.bids.prefix(n)) }
        if let n = limit("limit_asks") { snapshot.asks = Array(snapshot.asks.prefix(n)) }
        return GeminiWireFormat.book(snapshot, nowMilliseconds: clock.nowMilliseconds())
    }

    private func trades(_ s: SimSymbol, query: [String: String]) -> Result<GeminiJSON, GeminiErrorReply> {
        let limit = min(max(query["limit_trades"].flatMap { Int($0) } ?? 50, 1), 500)
        var list = engine.recentTrades(symbol: s.symbol, limit: engine.recentTradeLimit)
        if let raw = query["since_tid"] {
            guard let tid = Int64(raw) else { return .failure(.badRequest("InvalidSinceTid", "since_tid must be an integer")) }
            list = list.filter { $0.tid > tid }
        } else if let raw = query["timestamp"] ?? query["since"] {
            guard let value = ExactDecimal(raw), let ms = Self.milliseconds(fromSecondsOrMs: value) else {
                return .failure(.badRequest("InvalidTimestampInPayload", "Invalid timestamp: \(raw)"))
            }
            list = list.filter { $0.timestampms >= ms }
        }
        return .success(.array(list.prefix(limit).map(GeminiWireFormat.publicTrade)))
    }

    /// Candle widths by Gemini's `time_frame` names (and the newer short spellings).
    static let timeframes: [String: Int64] = [
        "1m": 60_000, "5m": 300_000, "15m": 900_000, "30m": 1_800_000,
        "1hr": 3_600_000, "1h": 3_600_000, "6hr": 21_600_000, "6h": 21_600_000, "1day": 86_400_000, "1d": 86_400_000,
    ]

    /// `[time_ms, open, high, low, close, volume]` JSON numbers, newest first, from the
    /// simulator's recent trades (a cheap aggregation; empty buckets are omitted).
    private func candles(_ s: SimSymbol, timeframe: String) -> Result<GeminiJSON, GeminiErrorReply> {
        guard let width = Self.timeframes[timeframe] else {
            return .failure(.badRequest("InvalidTimeframe", "Supplied value '\(timeframe)' is not a valid time frame"))
        }
        var buckets: [(start: Int64, open: ExactDecimal, high: ExactDecimal, low: ExactDecimal, close: ExactDecimal, volume: ExactDecimal)] = []
        for t in engine.recentTrades(symbol: s.symbol, limit: engine.recentTradeLimit).reversed() {
            let start = t.timestampms - t.timestampms % width
            if let last = buckets.last, last.start == start {
                buckets[buckets.count - 1] = (start, last.open, max(last.high, t.price), min(last.low, t.price), t.price, last.volume + t.quantity)
            } else {
                buckets.append((start, t.price, t.price, t.price, t.price, t.quantity))
            }
        }
        let rows: [GeminiJSON] = buckets.reversed().map { b in
            .array([.int(b.start), GeminiWireFormat.decimalNumber(b.open), GeminiWireFormat.decimalNumber(b.high),
                    GeminiWireFormat.decimalNumber(b.low), GeminiWireFormat.decimalNumber(b.close),
                    GeminiWireFormat.decimalNumber(b.volume)])
        }
        return .success(.array(rows))
    }

    /// The exchange website stand-in served at `GET /` (see `ExchangeWebPage`).
    func websitePage() -> String { ExchangeWebPage.html(symbols: engine.symbols) }

    /// `GET /sim/ledger`: every account's orders (with their fills) and fills.
    public func ledgerJSON() -> GeminiJSON {
        .object([("accounts", .array(accountNames.map { entry in
            let ledger = engine.ledger(account: entry.id)
            let keys = (accountKeys[entry.name] ?? []).map { GeminiJSON.string($0) }
            return .object([
                ("name", .string(entry.name)),
                ("account_id", .int(entry.id)),
                ("keys", .array(keys)),
                ("orders", .array(ledger.orders.map { GeminiWireFormat.order($0, includeReason: true, includeVia: true) })),
                ("trades", .array(ledger.trades.map(GeminiWireFormat.myTrade))),
                ("balances", .array(engine.balances(account: entry.id).map(GeminiWireFormat.balance))),
            ])
        }))])
    }
}
