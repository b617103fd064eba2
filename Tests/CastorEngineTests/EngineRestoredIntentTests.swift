import CastorConfig
import CastorCore
import CastorEngine
import CastorJournal
import CastorTestSupport
import Foundation
import GeminiSim
import Testing

/// Intents journaled before a crash and restored at the next start: never sent again, looked
/// up, adopted if the exchange has them, else closed; the kill switch holds across the restart.
@Suite(.serialized, .timeLimit(.minutes(2))) struct EngineRestoredIntentTests {
    /// Three intents in the journal as a crash left them: none acknowledged. The exchange has
    /// only the second (it left before the crash).
    private func journalThreeIntents(_ h: SimHarness, _ configuration: CastorConfiguration) async throws -> [String] {
        let ids = (1...3).map { "cx-old1-\($0)" }
        try FileManager.default.createDirectory(atPath: h.stateDirectory, withIntermediateDirectories: true)
        let journal = try Journal(stateDirectory: h.stateDirectory, scope: Engine.journalScope(for: configuration))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for (i, id) in ids.enumerated() {
            try journal.recordIntent(JournalIntent(clientOrderID: id, strategy: "market-maker", symbol: "BTCUSD", side: .buy,
                                                   price: ExactDecimal(49_000 + i), amount: ExactDecimal("0.01")!,
                                                   createdMs: now - 1_000))
        }
        try journal.close()
        let ours = await h.accountID(SimHarness.key)
        try await h.core.withEngine { e in
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .buy, amount: ExactDecimal("0.01")!,
                                                 price: ExactDecimal(49_001), clientOrderId: ids[1]),
                                 account: ours, session: SimHarness.key)
        }
        return ids
    }

    @Test func restoredIntentsAreNeverResentAndTheKillSwitchCancelsWhatIsFound() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        var configuration = h.configuration()
        configuration.risk.defaults.killSwitch = true
        let ids = try await journalThreeIntents(h, configuration)
        let engine = try h.makeEngine(configuration)
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("the found order is cancelled and the others are closed") {
            let live = await h.simOpenOrders()
            return live.isEmpty && h.on { engine.openOrderCount } == 0
        }
        let byClient = await h.simOrdersByClientID()
        #expect(byClient[ids[0]] == nil, "an intent from before the restart was sent")
        #expect(byClient[ids[2]] == nil, "an intent from before the restart was sent")
        #expect(byClient[ids[1]] == 1)
        let paths = await h.core.trafficStats.privatePaths["key:\(SimHarness.key)"] ?? [:]
        #expect(paths["/v1/order/new"] == nil, "nothing is placed while the kill switch is engaged: \(paths)")
        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
    }

    @Test func restoredIntentsNotFoundAreClosedNotResent() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let configuration = h.configuration()
        let ids = try await journalThreeIntents(h, configuration)
        let engine = try h.makeEngine(configuration)
        let started = await h.start(engine)
        #expect(throws: Never.self) { try started.get() }
        try await pollUntil("the market maker quotes with new intents") { await h.simOpenOrders().count >= 2 }
        try await pollUntil("the restored intents are settled") {
            h.on { !engine.openClientOrderIDs.contains(ids[0]) && !engine.openClientOrderIDs.contains(ids[2]) }
        }
        let byClient = await h.simOrdersByClientID()
        #expect(byClient[ids[0]] == nil && byClient[ids[2]] == nil, "an intent from before the restart was resent")
        // The order that did reach the exchange is adopted, and cancelled at shutdown.
        #expect(h.on { engine.openClientOrderIDs.contains(ids[1]) })
        let stopped = await h.shutdown(engine)
        #expect(throws: Never.self) { try stopped.get() }
        #expect(await h.simOpenOrders().isEmpty)
    }
}
