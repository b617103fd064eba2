import CastorTestSupport
import CastorWebSocket
import Foundation
import GeminiProtocol
import Testing
@testable import GeminiSim

@Suite(.serialized, .timeLimit(.minutes(2))) struct FeedFaultTests {
    @Test func dropNowClosesEveryConnectionAndNewOnesWork() async throws {
        let sim = try await SimHarness()
        let orders = try WSProbe.orderEvents(sim)
        let market = try WSProbe.marketData(sim)
        try await orders.waitOpen()
        try await market.waitOpen()
        #expect(try await sim.send(.POST, "/sim/faults", body: #"{"dropWebSocketsNow": true}"#).status == 200)
        #expect(try await orders.waitEnd() == .closed(code: 1011, reason: "simulated connection drop"))
        #expect(try await market.waitEnd() == .closed(code: 1011, reason: "simulated connection drop"))
        try await pollUntil("connections forgotten", seconds: 10, intervalMs: 2) { sim.server.feeds.connectionCount == 0 }
        // A fresh connection starts over at socket_sequence 0.
        let again = try WSProbe.orderEvents(sim)
        try await again.waitOpen()
        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00")
        let messages = try await again.waitMessages(2)
        #expect(try sequences(messages) == [0])
        await sim.stop()
    }

    /// Each drop closes the sockets under FlyingSocks' pool; the next connection often gets
    /// the same fd number. Five drops in a row: after each, a fresh `/v2/marketdata`
    /// connection is upgraded, subscribes and gets its snapshot promptly.
    @Test func freshMarketDataConnectionSubscribesPromptlyAfterEachDrop() async throws {
        let sim = try await SimHarness()
        let snapshot = #"{"type":"l2_updates","symbol":"BTCUSD""#
        var ws = try WSProbe.marketData(sim)
        try await ws.waitOpen(seconds: 5)
        ws.send(subscribe(["BTCUSD"]))
        _ = try await ws.waitFor(seconds: 5, "first snapshot") { $0.hasPrefix(snapshot) }
        for round in 1...5 {
            #expect(try await sim.send(.POST, "/sim/faults", body: #"{"dropWebSocketsNow": true}"#).status == 200)
            #expect(try await ws.waitEnd(seconds: 5) == .closed(code: 1011, reason: "simulated connection drop"))
            let started = ContinuousClock.now
            ws = try WSProbe.marketData(sim)
            try await ws.waitOpen(seconds: 3)
            ws.send(subscribe(["BTCUSD"]))
            _ = try await ws.waitFor(seconds: 3, "snapshot after drop \(round)") { $0.hasPrefix(snapshot) }
            #expect(ContinuousClock.now - started < .seconds(3), "round \(round)")
            #expect(sim.server.feeds.dropCount == round)
        }
        ws.close()
        await sim.stop()
    }

    @Test func dropEveryPeriodOnTheInjectedClock() async throws {
        let sim = try await SimHarness()
        let appliedAt = sim.clock.nowMilliseconds()
        #expect(try await sim.send(.POST, "/sim/faults", body: #"{"dropWebSocketsEveryMs": 3000}"#).status == 200)
        let ws = try WSProbe.marketData(sim)
        try await ws.waitOpen()
        try await pollUntil("drop timer armed", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(appliedAt + 3_000) }
        sim.clock.advance(byMilliseconds: 2_999)
        try await Task.sleep(for: .milliseconds(50))
        #expect(ws.isOpen)
        sim.clock.advance(byMilliseconds: 1)
        #expect(try await ws.waitEnd() == .closed(code: 1011, reason: "simulated connection drop"))
        // Switching the fault off stops the drops.
        #expect(try await sim.send(.POST, "/sim/faults", body: "{}").status == 200)
        let next = try WSProbe.marketData(sim)
        try await next.waitOpen()
        sim.clock.advance(byMilliseconds: 6_000)
        try await Task.sleep(for: .milliseconds(50))
        #expect(next.isOpen)
        #expect(sim.server.feeds.dropCount == 1)
        await sim.stop()
    }

    @Test func skippedSocketSequenceIsVisible() async throws {
        let sim = try await SimHarness()
        #expect(try await sim.send(.POST, "/sim/faults", body: #"{"skipSocketSequenceEvery": 2}"#).status == 200)
        let ws = try WSProbe.orderEvents(sim)
        try await ws.waitOpen()
        for n in 0..<5 {
            _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "10\(n).00")
        }
        let messages = try await ws.waitMessages(6)
        let seen = try sequences(messages)
        #expect(seen == [0, 1, 3, 4, 6])
        // What a client checks: a gap.
        #expect(zip(seen, seen.dropFirst()).contains { $1 != $0 + 1 })
        await sim.stop()
    }

    @Test func stoppedHeartbeatsAreNeitherSentNorCounted() async throws {
        let sim = try await SimHarness()
        let openedAt = sim.clock.nowMilliseconds()
        let ws = try WSProbe.orderEvents(sim)
        try await ws.waitOpen()
        _ = try await ws.waitMessages(1)
        #expect(try await sim.send(.POST, "/sim/faults", body: #"{"stopHeartbeats": true}"#).status == 200)
        for period in 1...3 {
            let due = openedAt + Int64(period) * 5_000
            try await pollUntil("heartbeat timer at \(due)", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(due) }
            sim.clock.advance(byMilliseconds: 5_000)
        }
        // The timer has passed three due times (it now waits for the fourth): none was sent.
        try await pollUntil("timer past the stopped beats", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(openedAt + 20_000) }
        #expect(ws.messages.count == 1)
        #expect(ws.isOpen)
        #expect(try await sim.send(.POST, "/sim/faults", body: "{}").status == 200)
        sim.clock.advance(byMilliseconds: 5_000)
        let messages = try await ws.waitMessages(2)
        guard case .heartbeat(let beat) = try orderMessage(messages[1]) else {
            Issue.record("expected a heartbeat: \(messages[1])"); return
        }
        #expect(beat.sequence == 0 && beat.socketSequence == 0)
        await sim.stop()
    }

    @Test func slowConsumerIsDisconnectedNotSkipped() async throws {
        let outbox = FeedOutbox(limit: 3)
        for n in 0..<3 { #expect(outbox.enqueue { "\(n)-\($0)" }) }
        #expect(!outbox.enqueue { "overflow-\($0)" })
        #expect(outbox.isClosed)
        var texts: [String] = []
        var close: WSFrameCode?
        while let frame = await outbox.next() {
            if frame.opcode == .text { texts.append(String(decoding: frame.payload, as: UTF8.self)) }
            if frame.opcode == .close { close = WSFrameCode(frame.payload) }
        }
        #expect(texts == ["0-0", "1-1", "2-2"])
        #expect(close?.code == 1008)
    }
}

/// The status code of a close frame's payload.
struct WSFrameCode {
    let code: Int
    init?(_ payload: Data) {
        guard payload.count >= 2 else { return nil }
        code = Int(payload[payload.startIndex]) << 8 | Int(payload[payload.startIndex + 1])
    }
}
