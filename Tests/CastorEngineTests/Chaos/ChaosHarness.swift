import CastorConfig
import CastorCore
import CastorEngine
import CastorStrategy
import Dispatch
import Foundation
import GeminiProtocol
import GeminiSim
import Logging

/// The in-process simulator with rate limits high enough for a fast run, an engine on the
/// production WebSocket feed adapters, and the venue-side observers the chaos test asserts
/// with. (`SimHarness` fixes Gemini's default limits; this one needs its own.)
final class ChaosHarness: @unchecked Sendable {
    static let key = "account-chaostest00001"
    static let secret = "chaos-test-secret-0123456789"
    static let takerKey = "account-chaostaker001"
    static let makerKey = "account-chaosmaker001"
    let server: SimulatorServer
    let endpoint: SimulatorServer.Endpoint
    let queue = DispatchQueue(label: "castor.chaos.test")
    let stateDirectory: String
    let ours: Int64
    let taker: Int64
    let maker: Int64
    let liveWatch = LiveOrderWatch()
    var core: SimulatorCore { server.core }

    private init(server: SimulatorServer, endpoint: SimulatorServer.Endpoint, ids: (Int64, Int64, Int64)) {
        self.server = server
        self.endpoint = endpoint
        (ours, taker, maker) = ids
        stateDirectory = NSTemporaryDirectory() + "castor-chaos-test-\(UInt64.random(in: 0 ... .max))"
    }

    /// - Parameter timeNonces: our key checks time-based nonces, as the new WebSocket API
    ///   requires (Castor's REST nonces suit both kinds).
    static func start(rateLimits: RateLimitConfig, timeNonces: Bool = false) async throws -> ChaosHarness {
        let accounts = [
            SimAccountConfig(name: "primary", balances: ["USD": 10_000_000, "BTC": 1_000],
                             keys: [SimAPIKeyConfig(key: key, secret: secret, nonceMode: timeNonces ? .time : .counter)]),
            SimAccountConfig(name: "taker", balances: ["USD": 100_000_000, "BTC": 10_000],
                             keys: [SimAPIKeyConfig(key: takerKey, secret: secret)]),
            SimAccountConfig(name: "maker", balances: ["USD": 100_000_000, "BTC": 10_000],
                             keys: [SimAPIKeyConfig(key: makerKey, secret: secret)]),
        ]
        var config = SimulatorConfig(accounts: accounts, syntheticMarket: false)
        config.rateLimits = rateLimits
        let server = try SimulatorServer(config: config)
        let endpoint = try await server.start()
        let core = server.core
        let ids = await core.withEngine { e in
            (e.accountId(forAPIKey: key)!, e.accountId(forAPIKey: takerKey)!, e.accountId(forAPIKey: makerKey)!)
        }
        let h = ChaosHarness(server: server, endpoint: endpoint, ids: ids)
        // Watch every order event of our account from the first one on.
        let watch = h.liveWatch, ours = h.ours
        _ = await core.addListener { batch in watch.observe(batch.orderEvents.filter { $0.accountId == ours }) }
        // Resting maker liquidity: a two-sided book around 50 000 for the engine's price band.
        try await core.withEngine { e in
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .buy, amount: 5, price: 49_990),
                                 account: ids.2, session: makerKey)
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .sell, amount: 5, price: 50_010),
                                 account: ids.2, session: makerKey)
        }
        return h
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }

    /// The engine on the feeds `configuration.venueAPI` names (`EngineFeedFactory.gemini(for:)`).
    func makeEngine(_ configuration: CastorConfiguration, strategies: [any StrategyFactory]) throws -> Engine {
        let endpoints = try EngineEndpoints(restBaseURL: endpoint.restURL, webSocketBaseURL: endpoint.webSocketURL,
                                            webSocketAPIURL: endpoint.wsAPIURL)
        let credentials = try APICredentials(key: Self.key, secret: Self.secret)
        let logger = ProcessInfo.processInfo.environment["ENGINE_TEST_LOG"] != nil
            ? Logger(label: "castor.chaos") { StreamLogHandler.standardError(label: $0) }
            : Logger(label: "castor.chaos") { _ in SwiftLogNoOpLogHandler() }
        return queue.sync {
            Engine(configuration: configuration, credentials: credentials, endpoints: endpoints, logger: logger,
                   queue: queue, feeds: .gemini(for: configuration), strategies: strategies)
        }
    }

    func start(_ engine: Engine) async -> Result<Void, EngineError> {
        await withCheckedContinuation { c in queue.async { engine.start { c.resume(returning: $0) } } }
    }

    /// The deadline covers the engine's 60 s maintenance halt, during which failed cancels wait.
    func shutdown(_ engine: Engine) async -> Result<Void, EngineError> {
        await withCheckedContinuation { c in
            queue.async { engine.shutdown(cancelOpenOrders: true, deadline: .now() + 90) { c.resume(returning: $0) } }
        }
    }

    func on<T>(_ body: () -> T) -> T { queue.sync(execute: body) }

    /// Every order our account ever had on the venue (the ledger is the truth).
    func venueOrders() async -> [SimOrderSnapshot] {
        let ours = ours
        return await core.withEngine { $0.ledger(account: ours).orders }
    }

    func venueOpenOrders() async -> [SimOrderSnapshot] {
        let ours = ours
        return await core.withEngine { $0.activeOrders(account: ours) }
    }

    /// Our trades as the venue's ledger (`GET /sim/ledger`) has them: "tid amount price".
    func venueFills() async throws -> [String] {
        let json = await core.ledgerJSON()
        let account = json["accounts"]!.arrayValue!.first { $0["name"]?.stringValue == "primary" }!
        let trades = try JSONDecoder().decode([MyTrade].self, from: Data(account["trades"]!.serialized.utf8))
        return trades.map { "\($0.tid) \($0.amount) \($0.price)" }.sorted()
    }

    /// The engine's fills in the same form.
    func engineFills(_ engine: Engine) -> [String] {
        on { engine.fillLedger.fills.values.map { "\($0.tradeID.rawValue) \($0.amount) \($0.price)" }.sorted() }
    }

    /// The counterparty: takes the best of our resting orders on `side` with an
    /// immediate-or-cancel order, for its whole remainder or (`partial`) half of it.
    /// Returns whether there was one to take.
    func take(_ side: Side, partial: Bool) async throws -> Bool {
        let ours = ours, taker = taker
        return try await core.withEngine { e in
            let resting = e.activeOrders(account: ours).filter { $0.side == side && $0.remainingAmount > .zero }
            let best = side == .buy ? resting.max { $0.price < $1.price } : resting.min { $0.price < $1.price }
            guard let best else { return false }
            var amount = best.remainingAmount
            if partial, let half = (amount * ExactDecimal("0.5")!).quantized(toStep: ExactDecimal("0.00001")!, rule: .down),
               half > .zero { amount = half }
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: side.opposite, amount: amount,
                                                 price: best.price, options: ["immediate-or-cancel"]),
                                 account: taker, session: Self.takerKey)
            return true
        }
    }
}

/// Follows our account's order events in exchange order and records every moment two venue
/// orders with the same client order id were live together (the failure the engine's
/// lookup-before-resend rule exists to prevent).
final class LiveOrderWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var live: [String: Set<Int64>] = [:]
    private var violations: [String: Set<Int64>] = [:]
    private var events = 0

    func observe(_ batch: [SimOrderEvent]) {
        lock.lock()
        defer { lock.unlock() }
        for event in batch {
            guard let cid = event.order.clientOrderId else { continue }
            events += 1
            if event.order.isLive {
                live[cid, default: []].insert(event.order.orderId)
                if live[cid]!.count > 1 { violations[cid, default: []].formUnion(live[cid]!) }
            } else {
                live[cid]?.remove(event.order.orderId)
                if live[cid]?.isEmpty == true { live[cid] = nil }
            }
        }
    }

    /// Client order ids that ever had two live venue orders at once, with those orders.
    var doubleLive: [String: Set<Int64>] { lock.withLock { violations } }
    var eventCount: Int { lock.withLock { events } }
}
