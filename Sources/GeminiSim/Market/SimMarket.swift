import CastorCore

/// A synthetic market that keeps every configured symbol's book two-sided and moving.
///
/// A maker account quotes `levels` price levels on each side around a mid price that
/// follows a seeded random walk; a separate taker account (separate so self-trade
/// prevention never stops it) now and then sends a marketable immediate-or-cancel order a
/// few levels deep. A strategy's quotes near the top of book therefore get filled, either
/// by the taker or by the maker re-quoting through them when the mid moves.
///
/// Deterministic: the same seed, configs and sequence of `step(now:)` calls against the
/// same engine state give the same orders. Both participants have very large balances and
/// keep no history, so the market can run indefinitely in bounded memory.
///
/// Confined to the engine's serial queue/actor; not thread-safe.
public final class SimMarket {
    /// The engine the market trades on.
    public let engine: SimEngine
    /// Quoting participant.
    public let makerAccount: Int64
    /// Liquidity-taking participant.
    public let takerAccount: Int64
    /// Simulated time between two steps.
    public let stepIntervalMs: Int64
    /// At most this many steps are caught up by one `step(now:)` (after a long pause the
    /// market resumes instead of replaying hours of walk).
    public let maxCatchUpSteps: Int
    /// Steps taken so far.
    public private(set) var stepCount = 0

    private var rng: SimRandom
    private var books: [Quoter]
    private var lastStepMs: Int64?

    /// One symbol's walk and the maker's live orders by price (in price steps).
    private struct Quoter {
        let config: SimMarketConfig
        let symbol: SimSymbol
        var midTicks: Int64
        var bids: [Int64: Int64] = [:]
        var asks: [Int64: Int64] = [:]
    }

    /// - Parameters:
    ///   - configs: symbols to trade; configs for symbols the engine does not list are ignored.
    ///   - seed: fixes every random choice.
    public init(engine: SimEngine, seed: UInt64, configs: [SimMarketConfig] = SimMarketConfig.defaults,
                stepIntervalMs: Int64 = 250, maxCatchUpSteps: Int = 240) {
        self.engine = engine
        self.rng = SimRandom(seed: seed)
        self.stepIntervalMs = max(1, stepIntervalMs)
        self.maxCatchUpSteps = max(1, maxCatchUpSteps)
        var quoters: [Quoter] = []
        var currencies: Set<String> = []
        for config in configs {
            guard let symbol = engine.symbol(config.symbol) else { continue }
            let step = symbol.quoteIncrement
            let config = config.resolved(priceStep: step)
            let mid = config.midPrice.quantized(toStep: step, rule: .down) ?? step
            let ticks = Int64(mid.rescaled(to: step.scale)!.mantissa / step.rescaled(to: step.scale)!.mantissa)
            quoters.append(Quoter(config: config, symbol: symbol, midTicks: ticks))
            currencies.insert(symbol.base)
            currencies.insert(symbol.quote)
        }
        books = quoters
        let plenty = Dictionary(uniqueKeysWithValues: currencies.sorted().map { ($0, ExactDecimal(1_000_000_000_000)) })
        makerAccount = engine.createAccount(name: "sim-market-maker", balances: plenty, keepsHistory: false)
        takerAccount = engine.createAccount(name: "sim-market-taker", balances: plenty, keepsHistory: false)
    }

    /// Current mid price of `symbol`.
    public func midPrice(_ symbol: String) -> ExactDecimal? {
        books.first { $0.symbol.symbol == symbol.uppercased() }.map { price($0.midTicks, $0.symbol) }
    }

    /// Advances the market to `now` (ms): one step per elapsed `stepIntervalMs`, at most
    /// `maxCatchUpSteps`. The first call only quotes the initial books.
    public func step(now: Int64) {
        guard let last = lastStepMs else {
            lastStepMs = now
            stepOnce(walk: false)
            return
        }
        var due = last
        var taken = 0
        while due + stepIntervalMs <= now, taken < maxCatchUpSteps {
            due += stepIntervalMs
            taken += 1
            stepOnce(walk: true)
        }
        lastStepMs = taken == maxCatchUpSteps ? now : due
    }

    /// One step for every symbol, regardless of time.
    public func stepOnce(walk: Bool = true) {
        stepCount += 1
        for i in books.indices { step(&books[i], walk: walk) }
    }

    private func step(_ q: inout Quoter, walk: Bool) {
        let c = q.config
        let half = Int64(c.halfSpreadTicks), spacing = Int64(c.levelSpacingTicks), levels = Int64(max(1, c.levels))
        if walk {
            q.midTicks += Int64(rng.int(in: -c.volatilityTicks...c.volatilityTicks))
        }
        q.midTicks = max(q.midTicks, half + spacing * levels + 1)
        let bestBid = q.midTicks - half, bestAsk = q.midTicks + half
        let lowestBid = bestBid - spacing * (levels - 1), highestAsk = bestAsk + spacing * (levels - 1)
        // Cancel before placing, so the maker's new quotes never meet its stale ones.
        q.bids = prune(q.bids) { $0 <= bestBid && $0 >= lowestBid && (bestBid - $0) % spacing == 0 }
        q.asks = prune(q.asks) { $0 >= bestAsk && $0 <= highestAsk && ($0 - bestAsk) % spacing == 0 }
        for k in 0..<levels {
            let b = bestBid - k * spacing
            if q.bids[b] == nil, let id = quote(q, .buy, b) { q.bids[b] = id }
            let a = bestAsk + k * spacing
            if q.asks[a] == nil, let id = quote(q, .sell, a) { q.asks[a] = id }
        }
        if rng.chance(percent: c.takerChancePercent) {
            let side: Side = rng.chance(percent: 50) ? .buy : .sell
            let depth = Int64(rng.int(in: 0...c.takerDepthLevels))
            let ticks = side == .buy ? bestAsk + depth * spacing : bestBid - depth * spacing
            let request = SimOrderRequest(symbol: q.symbol.symbol, side: side, amount: size(c),
                                          price: price(ticks, q.symbol), options: ["immediate-or-cancel"])
            _ = try? engine.placeOrder(request, account: takerAccount, session: "sim-market-taker")
        }
        if c.sweepChancePercent > 0, rng.chance(percent: c.sweepChancePercent) {
            // A large order clearing the side `sweepDepthLevels` deep; the maker requotes after.
            let side: Side = rng.chance(percent: 50) ? .buy : .sell
            let depth = Int64(c.sweepDepthLevels)
            let ticks = side == .buy ? bestAsk + depth * spacing : bestBid - depth * spacing
            let amount = c.lotSize * ExactDecimal(c.maxLots * max(1, c.sweepDepthLevels + 1))
            let request = SimOrderRequest(symbol: q.symbol.symbol, side: side, amount: amount,
                                          price: price(max(1, ticks), q.symbol), options: ["immediate-or-cancel"])
            _ = try? engine.placeOrder(request, account: takerAccount, session: "sim-market-taker")
        }
    }

    /// Keeps the maker's orders that are still live and wanted; cancels the unwanted ones
    /// in price order (dictionary order is not deterministic).
    private func prune(_ orders: [Int64: Int64], keep: (Int64) -> Bool) -> [Int64: Int64] {
        var kept: [Int64: Int64] = [:]
        for ticks in orders.keys.sorted() {
            let id = orders[ticks]!
            guard engine.orders[id]?.isLive == true else { continue }
            if keep(ticks) {
                kept[ticks] = id
            } else {
                _ = try? engine.cancelOrder(orderId: id, account: makerAccount)
            }
        }
        return kept
    }

    private func quote(_ q: Quoter, _ side: Side, _ ticks: Int64) -> Int64? {
        guard ticks > 0 else { return nil }
        let request = SimOrderRequest(symbol: q.symbol.symbol, side: side, amount: size(q.config),
                                      price: price(ticks, q.symbol))
        guard let order = try? engine.placeOrder(request, account: makerAccount, session: "sim-market-maker"),
              order.isLive else { return nil }
        return order.orderId
    }

    private func size(_ c: SimMarketConfig) -> ExactDecimal {
        c.lotSize * ExactDecimal(rng.int(in: 1...c.maxLots))
    }

    private func price(_ ticks: Int64, _ symbol: SimSymbol) -> ExactDecimal {
        ExactDecimal(mantissa: Int128(ticks) * symbol.quoteIncrement.mantissa, scale: symbol.quoteIncrement.scale)
    }
}
