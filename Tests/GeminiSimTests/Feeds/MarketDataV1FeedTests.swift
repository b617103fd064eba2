import CastorCore
import Foundation
import GeminiProtocol
import Testing
@testable import GeminiSim

@Suite(.serialized, .timeLimit(.minutes(2))) struct MarketDataV1FeedTests {
    @Test func initialBookThenTradeAndChangesWithContiguousSequence() async throws {
        let sim = try await SimHarness()
        _ = try await sim.placeOrder(key: SimHarness.makerKey, side: "sell", amount: "0.3", price: "60000.00")
        _ = try await sim.placeOrder(key: SimHarness.makerKey, side: "buy", amount: "0.2", price: "59000.00")
        let openedAt = sim.clock.nowMilliseconds()
        let ws = try WSProbe("ws://127.0.0.1:\(sim.port)/v1/marketdata/btcusd?heartbeat=true")
        try await ws.waitOpen()
        let initial = try await ws.waitMessages(1)
        let first = try #require(try JSONParser.parse(initial[0]).object)
        #expect(first["type"] == .string("update") && first["socket_sequence"] == .number("0"))
        #expect(first["timestamp"] == nil)
        #expect(initial[0].contains(#"{"type":"change","reason":"initial","price":"59000.00","delta":"0.2","remaining":"0.2","side":"bid"}"#))
        #expect(initial[0].contains(#""price":"60000.00","delta":"0.3","remaining":"0.3","side":"ask"}"#))

        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "60000.00")
        let update = try await ws.waitMessages(2)[1]
        #expect(update.contains(#""socket_sequence":1"#))
        #expect(update.contains(#""makerSide":"ask""#))
        #expect(update.contains(#"{"type":"change","side":"ask","price":"60000.00","remaining":"0.2","delta":"-0.1","reason":"trade"}"#))

        try await SimHarness.eventually("heartbeat timer armed") { sim.clock.pendingDeadlines.contains(openedAt + 5_000) }
        sim.clock.advance(byMilliseconds: 5_000)
        #expect(try await ws.waitMessages(3)[2] == #"{"type":"heartbeat","socket_sequence":2}"#)

        // Decoded by the project's v1 decoder.
        for text in ws.messages { _ = try MarketDataV1Decoder.decode(Data(text.utf8)) }
        await sim.stop()
    }

    @Test func unknownSymbolAndTopOfBookAreRefused() async throws {
        let sim = try await SimHarness()
        let unknown = try WSProbe("ws://127.0.0.1:\(sim.port)/v1/marketdata/dogeusd")
        guard case .failed(.handshakeRejected(let status, _, let body)) = try await unknown.waitEnd() else {
            Issue.record("expected a rejected handshake"); return
        }
        #expect(status == 400 && body.contains("InvalidSymbol"))
        let top = try WSProbe("ws://127.0.0.1:\(sim.port)/v1/marketdata/btcusd?top_of_book=true")
        guard case .failed(.handshakeRejected(let topStatus, _, _)) = try await top.waitEnd() else {
            Issue.record("expected a rejected handshake"); return
        }
        #expect(topStatus == 400)
        await sim.stop()
    }
}

extension GeminiJSON {
    /// The object itself when it is one (for member checks).
    var object: GeminiJSON? {
        if case .object = self { return self }
        return nil
    }
}
