import CastorConfig
import CastorCore
import CastorEngine
import CastorTestSupport
import GeminiSim
import Logging
import Testing

/// Every engine log line carries a stable `event` key (issue 9, "Logs"), so operators and
/// tests match on it rather than on prose.
@Suite(.serialized, .timeLimit(.minutes(3))) struct EngineLogEventTests {
    @Test func everyLineOfAStartTradeKillSwitchAndShutdownHasAnEventKey() async throws {
        let h = try await SimHarness.start()
        defer { Task { await h.stop() } }
        let recorder = LogRecorder()
        let engine = try h.makeEngine(h.configuration(), logger: recorder.logger)
        try await h.start(engine).get()
        try await pollUntil("market maker quotes") { await h.simOpenOrders().count == 2 }
        #expect(try await h.hitOurBid())
        try await pollUntil("the fill is counted") { h.on { engine.fillLedger.fills.count } >= 1 }
        h.on { engine.setKillSwitch(true, reason: "test") }
        try await pollUntil("every order cancelled") { await h.simOpenOrders().isEmpty }
        try await h.shutdown(engine).get()
        let records = recorder.records
        #expect(records.count > 20)
        let missing = records.filter { $0.metadata["event"] == nil }
        #expect(missing.isEmpty, "lines without an event key: \(missing.map(\.message))")
        let events = Set(records.compactMap { $0.metadata["event"] })
        for e in ["engine.starting", "engine.running", "orders.queued", "orders.filled", "risk.kill_switch_engaged",
                  "orders.session_cancelled", "engine.stopped"] {
            #expect(events.contains(e), "no \(e) line")
        }
    }
}
