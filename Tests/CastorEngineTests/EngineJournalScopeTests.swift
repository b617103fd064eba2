import CastorConfig
import CastorCore
import CastorEngine
import CastorJournal
import CastorTestSupport
import Foundation
import GeminiSim
import Testing

/// One journal per venue and account, seen from the engine: two simulators (two custom
/// venues, `custom-127.0.0.1-<port>`) share a state directory the way one daemon moving
/// between venues does.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineJournalScopeTests {
    static let observe = ["symbol": StrategyParameterValue.string("btcusd")]

    /// Both simulators number orders and trades from the same start, so the same steps give
    /// the same trade id on each: with one journal for both, the second venue's fill was
    /// dropped as a duplicate of the first's (a lost fill) and counted at the first's size.
    @Test func aTradeIDAlreadyJournaledOnAnotherVenueIsANewFillHere() async throws {
        let a = try await SimHarness.start()
        let b = try await SimHarness.start()
        defer { Task { await a.stop(); await b.stop() } }
        let tradeA = try await Self.buyFromTheMaker(a, amount: "0.5")
        let tradeB = try await Self.buyFromTheMaker(b, amount: "0.25")
        try #require(tradeA == tradeB, "the simulators should have given both fills the same trade id")

        let onA = a.configuration(strategy: .builtIn(.observe), params: Self.observe)
        let first = try a.makeEngine(onA)
        try (await a.start(first)).get()
        #expect(a.on { first.fillLedger.fills.values.map(\.amount) } == [ExactDecimal("0.5")!])
        try (await a.shutdown(first)).get()

        // Venue b, same state directory (a venue switch by reload or by editing the file).
        var onB = b.configuration(strategy: .builtIn(.observe), params: Self.observe)
        onB.engine.stateDirectory = a.stateDirectory
        let second = try b.makeEngine(onB)
        try (await b.start(second)).get()
        let fills = b.on { second.fillLedger.fills }
        #expect(fills.count == 1, "venue a's fill must not count on venue b")
        #expect(fills.values.first?.tradeID.rawValue == tradeB, "venue b's fill was lost")
        #expect(fills.values.first?.amount == ExactDecimal("0.25")!)
        try (await b.shutdown(second)).get()

        // Two journals, each with its own venue's position.
        let scopeA = Engine.journalScope(for: onA), scopeB = Engine.journalScope(for: onB)
        #expect(scopeA.fileName != scopeB.fileName)
        let positionA = try Journal(stateDirectory: a.stateDirectory, scope: scopeA).loadState().positions["btcusd"]
        let positionB = try Journal(stateDirectory: a.stateDirectory, scope: scopeB).loadState().positions["btcusd"]
        #expect(positionA?.base == ExactDecimal("0.5")! && positionA?.fillCount == 1)
        #expect(positionB?.base == ExactDecimal("0.25")! && positionB?.fillCount == 1)
    }

    /// A new API key for the same venue and account (key rotation): the new engine opens the
    /// same journal, so it knows the fills and adopts the orders the old key left open
    /// instead of cancelling them as unknown.
    @Test func aRotatedKeyKeepsTheJournalAndItsOpenOrders() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let first = try h.makeEngine(h.configuration())
        try (await h.start(first)).get()
        try await pollUntil("market maker quotes") { await h.simOpenOrders().count == 2 }
        #expect(try await h.hitOurBid())
        try await pollUntil("the fill is counted") { h.on { first.fillLedger.fills.count } == 1 }
        try (await h.shutdown(first, cancel: false)).get()
        let leftOpen = Set(await h.simOpenOrders().map(\.orderId))
        try #require(!leftOpen.isEmpty, "the ask should still be open")

        // Only the key differs; a strategy that never trades, so every open order is the old one.
        let second = try h.makeEngine(h.configuration(strategy: .builtIn(.observe), params: Self.observe), key: SimHarness.rotatedKey)
        try (await h.start(second)).get()
        #expect(h.on { second.fillLedger.fills.count } == 1)
        #expect(h.on { second.openOrderCount } == leftOpen.count, "the old key's open orders were not restored from the journal")
        #expect(Set(await h.simOpenOrders().map(\.orderId)) == leftOpen, "the old key's orders were cancelled as unknown")
        try (await h.shutdown(second)).get()
        #expect(await h.simOpenOrders().isEmpty)
    }

    /// The single journal of older versions becomes the first real venue's journal.
    @Test func theJournalOfAnOlderVersionIsAdoptedAtStart() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        try FileManager.default.createDirectory(atPath: h.stateDirectory, withIntermediateDirectories: true)
        let old = JournalScope(venue: "before-upgrade", account: nil)
        let journal = try Journal(stateDirectory: h.stateDirectory, scope: old)
        try journal.recordFill(JournalFill(tradeID: "legacy-1", orderID: "1", clientOrderID: nil, symbol: "btcusd", side: .buy,
                                           price: ExactDecimal("50000")!, amount: ExactDecimal("0.3")!, fee: .zero,
                                           feeCurrency: "usd", liquidity: .taker, timestampMs: 1_700_000_000_000))
        try journal.close()
        let legacy = h.stateDirectory + "/" + Journal.legacyFileName
        try FileManager.default.moveItem(atPath: h.stateDirectory + "/" + old.fileName, toPath: legacy)

        let configuration = h.configuration(strategy: .builtIn(.observe), params: Self.observe)
        let engine = try h.makeEngine(configuration)
        try (await h.start(engine)).get()
        #expect(h.on { engine.fillLedger.fills.keys.map(\.rawValue) } == ["legacy-1"])
        #expect(!FileManager.default.fileExists(atPath: legacy))
        #expect(FileManager.default.fileExists(atPath: h.stateDirectory + "/" + Engine.journalScope(for: configuration).fileName))
        try (await h.shutdown(engine)).get()
    }

    /// Our account buys `amount` from the maker's resting ask; returns the trade id.
    static func buyFromTheMaker(_ h: SimHarness, amount: String) async throws -> String {
        let ours = await h.accountID(SimHarness.key)
        try await h.core.withEngine { e in
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .buy, amount: ExactDecimal(amount)!, price: 50_010,
                                                 options: ["immediate-or-cancel"], clientOrderId: "\(SimHarness.ownPrefix)-lost1-1"),
                                 account: ours, session: SimHarness.key)
        }
        let trades = try await h.ledgerTrades()
        try #require(trades.count == 1)
        return String(trades[0].tid)
    }
}
