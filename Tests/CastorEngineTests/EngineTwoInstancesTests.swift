import CastorConfig
import CastorCore
import CastorEngine
import CastorStrategy
import CastorTestSupport
import CastorTrading
import GeminiProtocol
import GeminiSim
import Testing

/// Places one bid and one ask far from the market at start and never touches them: what
/// happens to them afterwards is someone else's doing.
final class StaticQuotes: Strategy, @unchecked Sendable {
    var parameters: CastorStrategy.StrategyParameters
    init(_ p: CastorStrategy.StrategyParameters) { parameters = p }
    func start(context: any StrategyContext) {
        _ = context.place(symbol: "btcusd", side: .buy, price: ExactDecimal(49_000), amount: ExactDecimal("0.01")!,
                          options: .makerOrCancel)
        _ = context.place(symbol: "btcusd", side: .sell, price: ExactDecimal(51_000), amount: ExactDecimal("0.01")!,
                          options: .makerOrCancel)
    }
    func stop(context: any StrategyContext) {}
    func reconfigure(parameters: CastorStrategy.StrategyParameters) throws { self.parameters = parameters }
    func onBook(symbol: String, book: BookView, context: any StrategyContext) {}
}

/// Two castor instances on one account, each with its own key and state directory
/// (issue 10, defect 2): the account's open orders, order events and trades reach both,
/// and each must cancel and count only its own.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineTwoInstancesTests {
    /// The account's live orders placed with `session` (an API key), by order id.
    private func openOrderIDs(_ h: SimHarness, session: String) async -> Set<Int64> {
        Set(await h.simOpenOrders().filter { $0.apiSession == session }.map(\.orderId))
    }

    /// The account's trades of orders placed with `session`, as `engineFills` shows them.
    private func venueFills(_ h: SimHarness, session: String) async throws -> Set<String> {
        let account = await h.accountID(SimHarness.key)
        let orders = await h.core.withEngine { $0.ledger(account: account).orders }
        let ids = Set(orders.filter { $0.apiSession == session }.map { String($0.orderId) })
        return Set(try await h.ledgerTrades().filter { ids.contains($0.orderID) }.map { "\($0.tid) \($0.amount) \($0.price)" })
    }

    /// Sells into every bid down to the lowest of the sessions' best bids, so each fills.
    private func hitBids(_ h: SimHarness, sessions: [String]) async throws {
        let account = await h.accountID(SimHarness.key), taker = await h.accountID(SimHarness.takerKey)
        try await h.core.withEngine { e in
            let live = e.activeOrders(account: account).filter { $0.side == .buy }
            let bests = sessions.compactMap { s in live.filter { $0.apiSession == s }.map(\.price).max() }
            guard bests.count == sessions.count, let price = bests.min(), let book = e.book(symbol: "BTCUSD", depth: 100) else {
                throw TimedOut(description: "not every session has a bid")
            }
            let amount = book.bids.filter { $0.price >= price }.reduce(ExactDecimal.zero) { $0 + $1.amount }
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .sell, amount: amount, price: price,
                                                 options: ["immediate-or-cancel"]), account: taker, session: SimHarness.takerKey)
        }
    }

    /// True once `engine`'s open orders are exactly its key's live orders on the venue: no
    /// send or cancel of its own is under way, so its quotes stand still.
    private func settled(_ h: SimHarness, _ engine: Engine, session: String, count: Int) async -> Bool {
        let venue = Set(await h.simOpenOrders().filter { $0.apiSession == session }.compactMap(\.clientOrderId))
        return venue.count == count && Set(h.on { engine.openClientOrderIDs }) == venue
    }

    @Test func eachInstanceCancelsAndCountsOnlyItsOwnOrders() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let configA = h.configuration(params: ["symbol": .string("btcusd"), "spread_bps": .integer(10),
                                               "size": .string("0.01"), "requote_bps": .integer(10_000)])
        // B's quotes never move once placed, so any change to them is another's doing.
        var configB = h.configuration(strategy: .plugin(path: "/none", name: "static"), params: [:])
        let staticQuotes = ClosureStrategyFactory(name: "static") { StaticQuotes($0) }
        configB.engine.stateDirectory = h.stateDirectory + "/b"
        let keyA = SimHarness.key, keyB = SimHarness.rotatedKey

        let a = try h.makeEngine(configA, realFeeds: true, key: keyA)
        try (await h.start(a)).get()
        try await pollUntil("A quotes both sides") { await openOrderIDs(h, session: keyA).count == 2 }
        // A fill of A's before B exists: B's start-up fill catch-up sees it in /v1/mytrades.
        #expect(try await h.hitOurBid())
        try await pollUntil("A counts its fill") { h.on { a.fillLedger.fills.count } >= 1 }
        try await h.makeMarket(bid: 49_990, ask: 50_010)  // the fill took the maker's bid too
        try await pollUntil("A quotes both sides again") { await settled(h, a, session: keyA, count: 2) }
        let aQuotes = await openOrderIDs(h, session: keyA)

        let b = try h.makeEngine(configB, realFeeds: true, strategies: [staticQuotes], key: keyB)
        try (await h.start(b)).get()
        try await pollUntil("B quotes both sides") { await settled(h, b, session: keyB, count: 2) }
        #expect(h.on { a.ownPrefix } != h.on { b.ownPrefix })
        // B's start-up reconciliation saw A's open orders and trades: it left them alone.
        #expect(await openOrderIDs(h, session: keyA) == aQuotes)
        #expect(h.on { b.fillLedger.fills.isEmpty })

        // Both bids fill on the live feeds.
        try await hitBids(h, sessions: [keyA, keyB])
        try await pollUntil("each engine's fills equal the venue's for its key") {
            let venueA = try await venueFills(h, session: keyA), venueB = try await venueFills(h, session: keyB)
            return !venueB.isEmpty && engineFills(h, a) == venueA && engineFills(h, b) == venueB
        }

        // A's shutdown cancels A's orders only: B's ask (its bid filled) stays.
        let bQuotes = await openOrderIDs(h, session: keyB)
        #expect(bQuotes.count == 1)
        try (await h.shutdown(a)).get()
        #expect(await openOrderIDs(h, session: keyA).isEmpty)
        #expect(await openOrderIDs(h, session: keyB) == bQuotes)
        // B restarted: its reconciliation again counts none of A's fills.
        try (await h.shutdown(b, cancel: false)).get()
        let b2 = try h.makeEngine(configB, realFeeds: true, strategies: [staticQuotes], key: keyB)
        try (await h.start(b2)).get()
        let venueB = try await venueFills(h, session: keyB)
        #expect(engineFills(h, b2) == venueB)
        #expect(await h.simOrdersByClientID().values.allSatisfy { $0 == 1 })
        try (await h.shutdown(b2)).get()
        #expect(await h.simOpenOrders().isEmpty)
    }
}
