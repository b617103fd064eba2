import CastorTestSupport
import CastorCore
import CastorHTTP
import CastorTrading
import Dispatch
import Foundation
import GeminiClient
import GeminiProtocol
import GeminiSim
import MarketData
import Synchronization
@testable import CastorFeeds

/// A running simulator (manual clock, so heartbeats come only when a test advances it)
/// with REST clients for a trader and a maker key, and fault control.
final class FeedSimHarness: Sendable {
    static let traderKey = "account-feedtrader00000001"
    static let traderSecret = "feedTraderSecret1234567890ab"
    static let makerKey = "account-feedmaker000000001"
    static let makerSecret = "feedMakerSecret1234567890abc"

    let server: SimulatorServer
    let clock: ManualSimClock
    let venue: GeminiVenue
    /// The HTTP client's queue is the "engine queue" of these tests: the senders, the key
    /// lanes and the adapters all run on it.
    let http: HTTPClient
    let traderSender: PrivateRequestSender
    let trader: GeminiRESTClient
    let maker: GeminiRESTClient
    /// Each key's one ordered queue: REST calls and the handshake share it.
    let traderLane: TestKeyLane
    let makerLane: TestKeyLane
    private let orderCounter = Atomic<Int>(0)

    init() async throws {
        let funds: [String: ExactDecimal] = ["USD": ExactDecimal(1_000_000), "BTC": ExactDecimal(10), "ETH": ExactDecimal(100)]
        let config = SimulatorConfig(
            listen: "127.0.0.1:0", seed: 11, symbols: ["BTCUSD", "ETHUSD"],
            accounts: [
                SimAccountConfig(name: "primary", balances: funds, keys: [SimAPIKeyConfig(key: Self.traderKey, secret: Self.traderSecret)]),
                SimAccountConfig(name: "maker", balances: funds, keys: [SimAPIKeyConfig(key: Self.makerKey, secret: Self.makerSecret)]),
            ],
            rateLimits: RateLimitConfig(enabled: false), syntheticMarket: false)
        clock = ManualSimClock()
        server = try SimulatorServer(config: config, clock: clock)
        let endpoint = try await server.start()
        venue = try GeminiVenue.custom(baseURL: endpoint.restURL)
        http = try HTTPClient()
        traderSender = try Self.sender(http: http, venue: venue, key: Self.traderKey, secret: Self.traderSecret)
        trader = GeminiRESTClient(venue: venue, http: http, sender: traderSender)
        maker = GeminiRESTClient(venue: venue, http: http,
                                 sender: try Self.sender(http: http, venue: venue, key: Self.makerKey, secret: Self.makerSecret))
        traderLane = TestKeyLane(queue: http.queue)
        makerLane = TestKeyLane(queue: http.queue)
    }

    /// The engine queue of these tests.
    var queue: DispatchQueue { http.queue }

    static func sender(http: HTTPClient, venue: GeminiVenue, key: String, secret: String) throws -> PrivateRequestSender {
        PrivateRequestSender(http: http, venue: venue, signer: GeminiSigner(credentials: try APICredentials(key: key, secret: secret)),
                             nonces: try NonceSource(), requestTimeout: .seconds(10))
    }

    func stop() async { await server.stop() }

    /// Places a limit order and waits for the answer.
    @discardableResult
    func place(_ client: GeminiRESTClient, _ side: Side, _ amount: String, at price: String, symbol: String = "BTCUSD") async throws -> OrderStatus {
        let id = "feeds-\(orderCounter.add(1, ordering: .relaxed).newValue)"
        let order = NewOrderPayload(clientOrderID: id, symbol: Symbol(symbol), side: side,
                                    amount: ExactDecimal(amount)!, price: ExactDecimal(price)!)
        let lane = client === trader ? traderLane : makerLane
        return try await withCheckedThrowingContinuation { continuation in
            lane.submit(kind: .newOrder) { done in
                client.newOrder(order, on: DispatchQueue(label: "test.rest")) { result in
                    continuation.resume(with: result)
                    lane.queue.async(execute: done)
                }
            }
        }
    }

    /// The simulator's full-depth `/v1/book`.
    func book(_ symbol: String) async throws -> OrderBookSnapshot {
        try await withCheckedThrowingContinuation { continuation in
            trader.book(Symbol(symbol), limitBids: 0, limitAsks: 0, on: DispatchQueue(label: "test.rest")) { continuation.resume(with: $0) }
        }
    }

    /// `POST /sim/faults` with `json`.
    func setFaults(_ json: String) async throws {
        let request = HTTPRequest(method: .post, url: venue.restURL(path: "/sim/faults"),
                                  headers: [(name: SimAdminToken.headerName, value: server.adminToken.value)], body: Array(json.utf8))
        let response: HTTPResponse = try await withCheckedThrowingContinuation { continuation in
            http.execute(request, on: DispatchQueue(label: "test.faults")) { continuation.resume(with: $0) }
        }
        guard response.status == 200 else {
            throw HarnessFailure("POST /sim/faults answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
    }

    /// Advances the simulator's clock by one heartbeat period.
    func advanceHeartbeat() { clock.advance(byMilliseconds: WebSocketFeeds.heartbeatIntervalMs) }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Waits until `condition` (evaluated on `queue`) holds, checking every few ms, failing at
/// the deadline with `what`.
func waitUntil(_ what: String, on queue: DispatchQueue, timeout seconds: Double = 10,
               _ condition: @escaping @Sendable () -> Bool) async throws {
    try await pollUntil(what, seconds: seconds, intervalMs: 5) { queue.sync(execute: condition) }
}

/// Records what the adapters report, on the engine queue.
final class FeedRecorder: MarketDataFeedDelegate, OrderEventsFeedDelegate, @unchecked Sendable {
    // Touched only on the engine queue (delegate calls) or via `queue.sync` from tests.
    var states: [FeedConnectionState] = []
    var updatedBooks: [BookIndex] = []
    var trades: [MarketTradeReport] = []
    var events: [OrderReport] = []
    var errors: [String] = []
    var snapshots: [[OrderReport]] = []
    var balances: [[VenueBalanceChange]] = []

    var causes: [FeedDisconnectCause] {
        states.compactMap { if case .reconnecting(let cause, _, _) = $0 { cause } else { nil } }
    }
    var liveCount: Int { states.filter { $0 == .live }.count }

    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didUpdateBook book: BookIndex) { updatedBooks.append(book) }
    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didReceiveTrade trade: MarketTradeReport) { trades.append(trade) }
    func marketDataFeed(_ feed: any MarketDataFeedAdapter, didChangeState state: FeedConnectionState) { states.append(state) }
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceive reports: [OrderReport]) { events += reports }
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReportError detail: String) { errors.append(detail) }
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didCompleteInitialSnapshot activeOrders: [OrderReport]) {
        snapshots.append(activeOrders)
    }
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didChangeState state: FeedConnectionState) { states.append(state) }
    func orderEventsFeed(_ feed: any OrderEventsFeedAdapter, didReceiveBalances changes: [VenueBalanceChange]) { balances.append(changes) }
}

/// Levels of a book, best first, for comparison with REST.
struct BookLevels: Equatable, CustomStringConvertible {
    var bids: [L2Level]
    var asks: [L2Level]

    init(_ book: L2OrderBook?) {
        bids = book?.topBids(10_000) ?? []
        asks = book?.topAsks(10_000) ?? []
    }

    init(_ snapshot: OrderBookSnapshot) {
        bids = snapshot.bids.map { L2Level(price: $0.price, quantity: $0.amount) }
        asks = snapshot.asks.map { L2Level(price: $0.price, quantity: $0.amount) }
    }

    var description: String { "bids \(bids) asks \(asks)" }
}
