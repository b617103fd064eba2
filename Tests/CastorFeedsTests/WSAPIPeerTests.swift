import CastorCore
import CastorHTTP
import CastorTestSupport
import CastorTrading
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import MarketData
import Testing
@testable import CastorFeeds

/// The new WebSocket API's adapters against an independent peer: a Python server on PyPI's
/// `websockets` (`Peer/wsapi_peer.py`) that replays WS-API.md-shaped frames and checks
/// what the client sends byte for byte (upgrade path and signed headers, request frames).
/// A mismatch closes the socket with code 4000 and the reason, which fails these tests.
@Suite(.serialized, .timeLimit(.minutes(2))) struct WSAPIPeerTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Peer/wsapi_peer.py").path

    static func connection() -> FeedConnectionStateMachine.Configuration {
        FeedConnectionStateMachine.Configuration(backoff: Backoff(baseMs: 10_000, capMs: 10_000), heartbeatTimeoutMs: 30_000,
                                                 subscribeTimeoutMs: 5_000)
    }

    static func peerClosed(_ recorder: FeedRecorder) -> String? {
        for cause in recorder.causes { if case .closedByPeer(let code, let reason) = cause { return "\(code) \(reason)" } }
        return nil
    }

    @Test func marketDataSnapshotsDiffsStalesAndAOneSymbolResync() async throws {
        let peer = try await PythonPeer(script: Self.script, arguments: ["market"], purpose: "the WebSocket API peer (pip install websockets)")
        let queue = DispatchQueue(label: "test.engine")
        let books = MarketBooks(symbols: ["BTCUSD", "ETHUSD"], queue: queue)
        let adapter = GeminiWSMarketDataAdapter(
            books: books, configuration: .init(url: "ws://127.0.0.1:\(peer.port)", connection: Self.connection(),
                                               webSocket: .init(connectTimeout: 5, handshakeTimeout: 10), seed: 1),
            clock: .system)
        let recorder = FeedRecorder()
        queue.sync {
            adapter.delegate = recorder
            adapter.start()
        }
        defer { queue.sync { adapter.stop() } }
        let btc = try #require(books.index(of: "BTCUSD")), eth = try #require(books.index(of: "ETHUSD"))
        try await waitUntil("ethusd resynced and btcusd's last diff applied", on: queue) {
            Self.peerClosed(recorder) != nil
                || (adapter.continuity(of: eth)?.lastUpdateID == 140 && adapter.continuity(of: btc)?.lastUpdateID == 106)
        }
        #expect(queue.sync { Self.peerClosed(recorder) } == nil)
        queue.sync {
            #expect(recorder.states.prefix(3) == [.connecting, .subscribing, .live])
            let b = BookLevels(books.book(btc)), e = BookLevels(books.book(eth))
            // Snapshot, then the diff (59990 removed, 59995 added, 60050 ask added), the stale
            // repeat dropped, then 60100 resized.
            #expect(b.bids == [L2Level(price: ExactDecimal("60000")!, quantity: ExactDecimal("0.5")!),
                               L2Level(price: ExactDecimal("59995")!, quantity: ExactDecimal("1.1")!)])
            #expect(b.asks == [L2Level(price: ExactDecimal("60050")!, quantity: ExactDecimal("0.1")!),
                               L2Level(price: ExactDecimal("60100")!, quantity: ExactDecimal("0.3")!)])
            // The gap emptied ethusd; the frame before the unsubscribe's reply was dropped;
            // the new snapshot replaced everything.
            #expect(e.bids == [L2Level(price: ExactDecimal("3002")!, quantity: ExactDecimal("3")!)])
            #expect(e.asks == [L2Level(price: ExactDecimal("3003")!, quantity: ExactDecimal("4")!)])
            #expect(adapter.counters.staleFrames == 1)
            #expect(adapter.counters.gaps == 1 && adapter.counters.resyncs == 1)
            #expect(adapter.counters.snapshots == 3)
            #expect(adapter.counters.trades == 1)
            let trade = recorder.trades.first
            #expect(trade?.symbol == "BTCUSD" && trade?.takerSide == .buy && trade?.price == ExactDecimal("60050")!)
            #expect(trade?.tradeID == 2840141014190422)
            // The connection stayed up through the resync.
            #expect(recorder.causes.isEmpty)
        }
    }

    @Test func accountStreamSignedUpgradeOrderEntryAndEvents() async throws {
        let key = "account-peertest00000001", secret = "peer-secret-for-the-hmac"
        let peer = try await PythonPeer(script: Self.script, arguments: ["account", key, secret],
                                        purpose: "the WebSocket API peer (pip install websockets)")
        let http = try HTTPClient()
        let queue = http.queue
        let venue = try GeminiVenue.custom(baseURL: "http://127.0.0.1:9")
        let sender = PrivateRequestSender(http: http, venue: venue,
                                          signer: GeminiSigner(credentials: try APICredentials(key: key, secret: secret)),
                                          nonces: try NonceSource(), requestTimeout: .seconds(5))
        let lane = TestKeyLane(queue: queue)
        let adapter = GeminiWSAccountAdapter(
            sender: sender, keySlot: lane, queue: queue,
            configuration: .init(url: "ws://127.0.0.1:\(peer.port)", connection: Self.connection(),
                                 webSocket: .init(connectTimeout: 5, handshakeTimeout: 10), seed: 1),
            clock: .system)
        let recorder = FeedRecorder()
        queue.sync {
            adapter.delegate = recorder
            adapter.start()
        }
        defer { queue.sync { adapter.stop() } }
        try await waitUntil("subscribed", on: queue) { adapter.isReadyForOrders || Self.peerClosed(recorder) != nil }
        #expect(queue.sync { Self.peerClosed(recorder) } == nil)
        #expect(queue.sync { recorder.snapshots } == [[]])
        #expect(queue.sync { lane.loansGranted } == 1)

        let outcomes = Mutexed<[String: WSAPIOrderEntryOutcome]>([:])
        func place(_ id: String, timeoutMs: Int64) {
            queue.async {
                adapter.place(WSAPIOrderParameters(symbol: "BTCUSD", side: .buy, price: ExactDecimal("60000.5")!,
                                                   quantity: ExactDecimal("0.25")!, timeInForce: .makerOrCancel,
                                                   clientOrderID: id), timeoutMs: timeoutMs) { outcomes.value[id] = $0 }
            }
        }
        place("peer-1", timeoutMs: 5_000)
        try await waitUntil("placement 1 settled", on: queue) { outcomes.value["peer-1"] != nil }
        guard case .done(let placed)? = outcomes.value["peer-1"] else {
            Issue.record("placement 1: \(String(describing: outcomes.value["peer-1"])) \(queue.sync { Self.peerClosed(recorder) } ?? "")")
            return
        }
        #expect(placed.orderID == VenueOrderID(73797746498585286))
        #expect(placed.state == .open && placed.clientOrderID == "peer-1" && placed.options == ["maker-or-cancel"])
        try await waitUntil("the fill and the balance", on: queue) {
            recorder.events.contains { $0.kind == .fill } && adapter.balances["USD"] != nil
        }
        queue.sync {
            let fill = recorder.events.first { $0.kind == .fill }
            #expect(fill?.execution?.tradeID == "298374652910473625")
            #expect(fill?.execution?.amount == ExactDecimal("0.1")!)
            #expect(fill?.execution?.fee == ExactDecimal("0.6")!)
            #expect(fill?.execution?.feeCurrency == "USD")
            #expect(fill?.execution?.isMaker == true)
            #expect(fill?.executedAmount == ExactDecimal("0.1")!)
            #expect(adapter.balances["USD"] == .init(currency: "USD", available: ExactDecimal("207.39")!, total: ExactDecimal(300)))
            // Handed to the engine as the venue's domain type, in wire order.
            #expect(recorder.balances.last == [VenueBalanceChange(currency: "USD", available: ExactDecimal("207.39")!, total: ExactDecimal(300))])
        }

        // Acknowledged, then silence: ambiguous after the deadline, never a success.
        place("peer-2", timeoutMs: 300)
        try await waitUntil("placement 2 settled", on: queue) { outcomes.value["peer-2"] != nil }
        guard case .ambiguous(.noAnswer)? = outcomes.value["peer-2"] else {
            Issue.record("placement 2: \(String(describing: outcomes.value["peer-2"]))")
            return
        }
        place("peer-3", timeoutMs: 5_000)
        try await waitUntil("placement 3 settled", on: queue) { outcomes.value["peer-3"] != nil }
        guard case .refused(let reply)? = outcomes.value["peer-3"] else {
            Issue.record("placement 3: \(String(describing: outcomes.value["peer-3"]))")
            return
        }
        #expect(reply.errorCode == -2010 && reply.outcome == .rejected)
        let failure = GeminiWSExecution.result(.refused(reply), endpoint: "order.place")
        guard case .failure(.exchange(let refusal, _)) = failure else { Issue.record("\(failure)"); return }
        #expect(refusal.reason == "InsufficientFunds" && refusal.classification == .reject)

        queue.async {
            adapter.cancel(orderID: 73797746498585286, timeoutMs: 5_000) { outcomes.value["cancel"] = $0 }
        }
        try await waitUntil("the cancel settled", on: queue) { outcomes.value["cancel"] != nil }
        guard case .done(let cancelled)? = outcomes.value["cancel"] else {
            Issue.record("cancel: \(String(describing: outcomes.value["cancel"]))")
            return
        }
        #expect(cancelled.state == .cancelled && cancelled.executedAmount == ExactDecimal("0.1")!)
        queue.sync {
            #expect(adapter.rateLimits.map(\.description) == ["REQUEST_WEIGHT 3/7000 per 10 second", "CONNECTION_ATTEMPTS 1/300 per 5 minute"])
            #expect(recorder.events.map(\.kind) == [.accepted, .booked, .fill, .cancelled, .closed])
            #expect(Self.peerClosed(recorder) == nil)
        }
    }
}
