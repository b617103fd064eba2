import CastorCore
import CastorTestSupport
import CastorWebSocket
import Foundation
import GeminiProtocol
import Testing
@testable import GeminiSim

/// Decodes one order-events frame with the project's decoder.
func orderMessage(_ text: String) throws -> OrderEventsMessage {
    try OrderEventsDecoder.decode(Data(text.utf8))
}

/// The events of an events frame (empty for anything else).
func events(_ text: String) -> [OrderEvent] {
    if case .events(let list)? = try? orderMessage(text) { return list }
    return []
}

/// The `socket_sequence` of every message after the ack.
func sequences(_ messages: [String]) throws -> [Int64] {
    try messages.dropFirst().map { text in
        guard let sequence = try orderMessage(text).socketSequence else { throw SequenceMissing(text: text) }
        return sequence
    }
}

struct SequenceMissing: Error { let text: String }

@Suite(.serialized, .timeLimit(.minutes(2))) struct OrderEventsFeedTests {
    @Test func ackThenInitialThenLiveEventsInOrderWithHeartbeats() async throws {
        let sim = try await SimHarness()
        let resting = try await sim.placeOrder(side: "buy", amount: "0.5", price: "100.00", clientOrderId: "before")
        #expect(resting.status == 200)
        let openedAt = sim.clock.nowMilliseconds()
        let ws = try WSProbe.orderEvents(sim)
        try await ws.waitOpen()
        var all = try await ws.waitMessages(2)

        guard case .subscriptionAck(let ack) = try orderMessage(all[0]) else {
            Issue.record("first message is not the ack: \(all[0])"); return
        }
        #expect(ack.accountID == 1)
        #expect(ack.subscriptionID.hasPrefix("ws-order-events-1-"))
        #expect(ack.symbolFilter.isEmpty && ack.apiSessionFilter.isEmpty && ack.eventTypeFilter.isEmpty)
        #expect(!all[0].contains("socket_sequence"))

        let initial = events(all[1])
        #expect(initial.count == 1)
        #expect(initial.first?.type == .initial)
        #expect(initial.first?.eventID == nil)
        #expect(initial.first?.clientOrderID == "before")
        #expect(initial.first?.symbol == Symbol("btcusd"))
        #expect(initial.first?.socketSequence == 0)
        #expect(all[1].contains(#""symbol":"btcusd""#))

        // A new order: accepted and booked come from one engine call, so one array.
        let placed = try await sim.placeOrder(side: "sell", amount: "0.25", price: "200000.00", clientOrderId: "live")
        let orderId = try #require(placed.json?["order_id"]?.stringValue)
        all = try await ws.waitMessages(3)
        let lifecycle = events(all[2])
        #expect(lifecycle.map(\.type) == [.accepted, .booked])
        #expect(lifecycle.allSatisfy { $0.orderID == orderId && $0.socketSequence == 1 && $0.eventID != nil })
        #expect(lifecycle.first?.apiSession == SimHarness.traderKey)
        #expect(lifecycle.last?.remainingAmount == ExactDecimal("0.25"))

        // Cancel: cancelled then closed, one array.
        #expect(try await sim.privatePost("/v1/order/cancel", fields: [("order_id", .integer(Int64(orderId)!))]).status == 200)
        all = try await ws.waitMessages(4)
        let cancel = events(all[3])
        #expect(cancel.map(\.type) == [.cancelled, .closed])
        #expect(cancel.first?.isCancelled == true)
        #expect(cancel.first?.reason == GeminiReason("Requested"))
        #expect(cancel.first?.cancelCommandID != nil)

        // Heartbeats every 5 s of the injected clock share the socket_sequence counter.
        try await pollUntil("heartbeat timer armed", seconds: 10, intervalMs: 1) { sim.clock.pendingDeadlines.contains(openedAt + 5_000) }
        sim.clock.advance(byMilliseconds: 5_000)
        all = try await ws.waitMessages(5)
        guard case .heartbeat(let beat) = try orderMessage(all[4]) else {
            Issue.record("expected a heartbeat: \(all[4])"); return
        }
        #expect(beat.socketSequence == 3 && beat.sequence == 0)
        #expect(beat.timestampMilliseconds == openedAt + 5_000)
        #expect(beat.traceID == ack.traceID)
        sim.clock.advance(byMilliseconds: 5_000)
        all = try await ws.waitMessages(6)
        guard case .heartbeat(let second) = try orderMessage(all[5]) else {
            Issue.record("expected a heartbeat: \(all[5])"); return
        }
        #expect(second.sequence == 1)
        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "101.00")
        all = try await ws.waitMessages(7)
        #expect(try sequences(all) == [0, 1, 2, 3, 4, 5])
        ws.close()
        #expect(try await ws.waitEnd() == .closed(code: 1000, reason: ""))
        await sim.stop()
    }

    @Test func fillsFromAnotherAccountReachOnlyTheOwnersStream() async throws {
        let sim = try await SimHarness()
        let trader = try WSProbe.orderEvents(sim)
        let maker = try WSProbe.orderEvents(sim, key: SimHarness.makerKey)
        try await trader.waitOpen()
        try await maker.waitOpen()
        _ = try await trader.waitMessages(1)
        _ = try await maker.waitMessages(1)

        let sell = try await sim.placeOrder(side: "sell", amount: "0.4", price: "50000.00")
        let sellId = try #require(sell.json?["order_id"]?.stringValue)
        _ = try await trader.waitMessages(2)
        let buy = try await sim.placeOrder(key: SimHarness.makerKey, side: "buy", amount: "0.4", price: "50000.00")
        #expect(buy.status == 200)

        let traderMessages = try await trader.waitMessages(3)
        let fill = events(traderMessages[2])
        #expect(fill.map(\.type) == [.fill, .closed])
        #expect(fill.first?.orderID == sellId)
        #expect(fill.first?.fill?.liquidity == .maker)
        #expect(fill.first?.fill?.price == ExactDecimal("50000.00"))
        #expect(fill.first?.fill?.amount == ExactDecimal("0.4"))
        #expect(fill.first?.executedAmount == ExactDecimal("0.4"))
        #expect(fill.first?.fill?.feeCurrency == "USD")

        let makerMessages = try await maker.waitMessages(2)
        let taker = events(makerMessages[1])
        #expect(taker.map(\.type) == [.accepted, .fill, .closed])
        #expect(taker.first(where: { $0.type == .fill })?.fill?.liquidity == .taker)
        #expect(taker.first(where: { $0.type == .fill })?.fill?.tradeID == fill.first?.fill?.tradeID)
        // The trader saw nothing of the maker's own order apart from the shared fill.
        #expect(traderMessages.count == 3)
        await sim.stop()
    }

    @Test func filtersApplyToInitialAndLiveEventsAndAreEchoed() async throws {
        let sim = try await SimHarness()
        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00", clientOrderId: "btc-rest")
        _ = try await sim.placeOrder(symbol: "ethusd", side: "buy", amount: "1", price: "10.00", clientOrderId: "eth-rest")
        let ws = try WSProbe.orderEvents(
            sim, query: "symbolFilter=ethusd&eventTypeFilter=initial&eventTypeFilter=closed&apiSessionFilter=\(SimHarness.traderKey)")
        try await ws.waitOpen()
        var all = try await ws.waitMessages(2)
        guard case .subscriptionAck(let ack) = try orderMessage(all[0]) else { Issue.record("no ack"); return }
        #expect(ack.symbolFilter == [Symbol("ethusd")])
        #expect(ack.eventTypeFilter == ["initial", "closed"])
        #expect(ack.apiSessionFilter == [SimHarness.traderKey])
        #expect(events(all[1]).map(\.clientOrderID) == ["eth-rest"])

        // Other session, other symbol, filtered types: nothing. Then an ETH cancel: only `closed`.
        _ = try await sim.placeOrder(key: SimHarness.secondTraderKey, symbol: "ethusd", side: "buy", amount: "1", price: "11.00")
        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00")
        let eth = try await sim.placeOrder(symbol: "ethusd", side: "buy", amount: "1", price: "12.00")
        let ethId = try #require(eth.json?["order_id"]?.stringValue)
        #expect(try await sim.privatePost("/v1/order/cancel", fields: [("order_id", .integer(Int64(ethId)!))]).status == 200)
        all = try await ws.waitMessages(3)
        #expect(events(all[2]).map(\.type) == [.closed])
        #expect(events(all[2]).first?.orderID == ethId)
        #expect(events(all[2]).first?.socketSequence == 1)
        #expect(ws.messages.count == 3)
        await sim.stop()
    }

    @Test func defaultIsNoHeartbeat() async throws {
        let sim = try await SimHarness()
        let openedAt = sim.clock.nowMilliseconds()
        let ws = try WSProbe.orderEvents(sim, query: "")
        try await ws.waitOpen()
        _ = try await ws.waitMessages(1)
        sim.clock.advance(byMilliseconds: 15_000)
        _ = try await sim.placeOrder(side: "buy", amount: "0.1", price: "100.00")
        let all = try await ws.waitMessages(2)
        #expect(events(all[1]).first?.type == .accepted)
        #expect(events(all[1]).first?.socketSequence == 0)
        #expect(!sim.clock.pendingDeadlines.contains(openedAt + 20_000))
        await sim.stop()
    }

    @Test func authenticationFailuresAnswerWithGeminiErrors() async throws {
        let sim = try await SimHarness()
        func rejected(_ probe: WSProbe) async throws -> (Int, String?) {
            guard case .failed(.handshakeRejected(let status, _, let body)) = try await probe.waitEnd() else {
                Issue.record("expected a rejected handshake, got \(String(describing: probe.end))")
                return (0, nil)
            }
            return (status, (try? JSONParser.parse(body))?["reason"]?.stringValue)
        }
        let url = "ws://127.0.0.1:\(sim.port)/v1/order/events"
        // No headers.
        #expect(try await rejected(WSProbe(url)) == (400, "MissingApikeyHeader"))
        // Wrong secret.
        let forged = GeminiSigner(credentials: try APICredentials(key: SimHarness.traderKey, secret: "wrong-secret-0123456789"),
                                  nonceFormat: .milliseconds)
            .webSocketHandshakeHeaders(nonce: sim.nextNonce(SimHarness.traderKey))
        #expect(try await rejected(WSProbe(url, headers: forged.headers)) == (400, "InvalidSignature"))
        // Signed for another path.
        let other = GeminiSigner(credentials: try APICredentials(key: SimHarness.traderKey, secret: SimHarness.traderSecret),
                                 nonceFormat: .milliseconds)
            .webSocketHandshakeHeaders(path: "/v1/orders", nonce: sim.nextNonce(SimHarness.traderKey))
        #expect(try await rejected(WSProbe(url, headers: other.headers)) == (400, "EndpointMismatch"))
        // A nonce that does not increase (the handshake consumes the key's sequence like REST).
        let nonce = sim.nextNonce(SimHarness.traderKey)
        let first = try WSProbe.orderEvents(sim, nonce: nonce)
        try await first.waitOpen()
        #expect(try await rejected(WSProbe.orderEvents(sim, nonce: nonce)) == (400, "InvalidNonce"))
        #expect(try await sim.privatePost("/v1/heartbeat", nonce: nonce).reason == "InvalidNonce")
        // Auditor may subscribe; FundManager-only may not.
        let auditor = try WSProbe.orderEvents(sim, key: SimHarness.auditorKey)
        try await auditor.waitOpen()
        let account = #"{"name":"funds","keys":[{"key":"account-fundmanager0000001","secret":"\#(SimHarness.sharedSecret)","roles":["FundManager"]}]}"#
        #expect(try await sim.send(.POST, "/sim/accounts", body: account).status == 200)
        #expect(try await rejected(WSProbe.orderEvents(sim, key: "account-fundmanager0000001")) == (403, "MissingRole"))
        // Bad filters.
        #expect(try await rejected(WSProbe.orderEvents(sim, query: "symbolFilter=dogeusd")) == (400, "InvalidSymbol"))
        #expect(try await rejected(WSProbe.orderEvents(sim, query: "eventTypeFilter=fills")) == (400, "InvalidEventTypeFilter"))
        await sim.stop()
    }
}
