import CastorConfig
import CastorCore
import CastorEngine
import CastorFeeds
import Dispatch
import Foundation
import GeminiProtocol
import GeminiSim
import Logging
import CastorStrategy
import CastorTestSupport
import CastorTrading

/// The in-process simulator plus everything a test needs to run an engine against it.
final class SimHarness: @unchecked Sendable {
    static let key = "account-enginetest0001"
    static let secret = "engine-test-secret-0123456789"
    /// A second key of our ("primary") account, for key rotation.
    static let rotatedKey = "account-enginetest0002"
    static let takerKey = "account-enginetaker01"
    static let makerKey = "account-enginemaker01"
    /// The client order id prefix of an engine trading with `key`: an order placed with it
    /// behind the engine's back counts as the engine's own (an orphan, or an intent lost
    /// with a crash); any other is foreign.
    static let ownPrefix = ClientOrderIDGenerator.instancePrefix(base: Engine.clientOrderIDPrefix, apiKey: key)
    let server: SimulatorServer
    let endpoint: SimulatorServer.Endpoint
    let queue = DispatchQueue(label: "castor.engine.test")
    let stateDirectory: String
    private(set) var marketFeeds: [PollingMarketData] = []
    private(set) var orderFeeds: [ReconnectingOrderEvents] = []
    var core: SimulatorCore { server.core }

    private init(server: SimulatorServer, endpoint: SimulatorServer.Endpoint, stateDirectory: String) {
        self.server = server
        self.endpoint = endpoint
        self.stateDirectory = stateDirectory
    }

    /// A simulator without the synthetic market: the test makes the market itself, so
    /// every fill is one it caused.
    static func start(faults: FaultConfig = FaultConfig()) async throws -> SimHarness {
        let ours = SimAccountConfig(name: "primary", balances: ["USD": 1_000_000, "BTC": 100, "ETH": 1_000],
                                    keys: [SimAPIKeyConfig(key: key, secret: secret),
                                           SimAPIKeyConfig(key: rotatedKey, secret: secret)])
        let taker = SimAccountConfig(name: "taker", balances: ["USD": 100_000_000, "BTC": 10_000],
                                     keys: [SimAPIKeyConfig(key: takerKey, secret: secret)])
        let maker = SimAccountConfig(name: "maker", balances: ["USD": 100_000_000, "BTC": 10_000, "ETH": 100_000],
                                     keys: [SimAPIKeyConfig(key: makerKey, secret: secret)])
        let config = SimulatorConfig(accounts: [ours, taker, maker], faults: faults, syntheticMarket: false)
        let server = try SimulatorServer(config: config)
        let endpoint = try await server.start()
        let dir = NSTemporaryDirectory() + "castor-engine-test-\(UInt64.random(in: 0 ... .max))"
        let h = SimHarness(server: server, endpoint: endpoint, stateDirectory: dir)
        try await h.makeMarket(bid: 49_990, ask: 50_010)
        return h
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(atPath: stateDirectory)
    }

    func accountID(_ key: String) async -> Int64 {
        await core.withEngine { $0.accountId(forAPIKey: key) }!
    }

    /// Resting liquidity from the maker account around a centre.
    func makeMarket(bid: Int, ask: Int, symbol: String = "BTCUSD") async throws {
        let taker = await accountID(Self.makerKey)
        try await core.withEngine { e in
            _ = try e.placeOrder(SimOrderRequest(symbol: symbol, side: .buy, amount: 1, price: ExactDecimal(bid)),
                                 account: taker, session: Self.makerKey)
            _ = try e.placeOrder(SimOrderRequest(symbol: symbol, side: .sell, amount: 1, price: ExactDecimal(ask)),
                                 account: taker, session: Self.makerKey)
        }
    }

    /// Sells into every bid at or above our best bid (immediate-or-cancel), so our bid fills.
    func hitOurBid() async throws -> Bool {
        let ours = await accountID(Self.key), taker = await accountID(Self.takerKey)
        return try await core.withEngine { e in
            guard let bid = e.activeOrders(account: ours).filter({ $0.side == .buy }).map(\.price).max(),
                  let book = e.book(symbol: "BTCUSD", depth: 100) else { return false }
            let amount = book.bids.filter { $0.price >= bid }.reduce(ExactDecimal.zero) { $0 + $1.amount }
            _ = try e.placeOrder(SimOrderRequest(symbol: "BTCUSD", side: .sell, amount: amount, price: bid,
                                                 options: ["immediate-or-cancel"]), account: taker, session: Self.takerKey)
            return true
        }
    }

    /// Our account's trades as the simulator's ledger has them.
    func ledgerTrades() async throws -> [MyTrade] {
        let json = await core.ledgerJSON()
        let account = json["accounts"]!.arrayValue!.first { $0["name"]?.stringValue == "primary" }!
        return try JSONDecoder().decode([MyTrade].self, from: Data(account["trades"]!.serialized.utf8))
    }

    /// Our account's live orders on the simulator.
    func simOpenOrders() async -> [SimOrderSnapshot] {
        let ours = await accountID(Self.key)
        return await core.withEngine { $0.activeOrders(account: ours) }
    }

    /// Every order of our account the simulator ever saw, grouped by client order id.
    func simOrdersByClientID() async -> [String: Int] {
        let ours = await accountID(Self.key)
        let ledger = await core.withEngine { $0.ledger(account: ours) }
        var counts: [String: Int] = [:]
        for o in ledger.orders { if let c = o.clientOrderId { counts[c, default: 0] += 1 } }
        return counts
    }

    func configuration(strategy: StrategySelection = .builtIn(.marketMaker),
                       params: [String: StrategyParameterValue]? = nil) -> CastorConfiguration {
        var c = CastorConfiguration(environment: [:])
        c.venue = .custom(restURL: endpoint.restURL, websocketURL: endpoint.webSocketURL)
        c.engine.stateDirectory = stateDirectory
        c.engine.symbols = ["BTCUSD"]
        c.strategy.selection = strategy
        c.strategy.parameters = StrategyParameterTable(params ?? [
            "symbol": .string("btcusd"), "spread_bps": .integer(10), "size": .string("0.01"), "requote_bps": .integer(1)])
        c.risk.defaults = RiskLimits(maxOrderNotional: 1_000_000, maxPosition: 50, maxOpenOrders: 20, priceBandBps: 500,
                                     maxOrdersPerMinute: 600, killSwitch: false)
        c.rateLimits.privatePerSecond = 10
        c.rateLimits.privateBurst = 10
        c.rateLimits.publicPerSecond = 2
        return c
    }

    /// A new engine whose feeds are the test adapters above, or with `realFeeds` the
    /// production Gemini WebSocket adapters talking to the simulator's feeds.
    /// `orderEventsReconnectMs` is how often the test order-events feed "reconnects"
    /// (nil: never, see `ReconnectingOrderEvents`); `logger` replaces the default one.
    func makeEngine(_ configuration: CastorConfiguration, clock: EngineClock = .system,
                    realFeeds: Bool = false, orderEventsReconnectMs: Int? = 700, logger: Logger? = nil,
                    strategies: [any StrategyFactory] = [], key: String = SimHarness.key) throws -> Engine {
        let endpoints = try EngineEndpoints(restBaseURL: endpoint.restURL, webSocketBaseURL: endpoint.webSocketURL)
        let feeds = realFeeds ? EngineFeedFactory.gemini : EngineFeedFactory(
            makeMarketData: { [self] ctx in
                let f = PollingMarketData(core: core, books: ctx.books, queue: ctx.queue)
                marketFeeds.append(f)
                return f
            },
            makeOrderEvents: { [self] ctx in
                let f = ReconnectingOrderEvents(queue: ctx.queue, intervalMs: orderEventsReconnectMs)
                orderFeeds.append(f)
                return f
            })
        let credentials = try APICredentials(key: key, secret: Self.secret)
        let logger = logger ?? (ProcessInfo.processInfo.environment["ENGINE_TEST_LOG"] != nil ? Logger(label: "castor.engine.test") { StreamLogHandler.standardError(label: $0) } : Logger(label: "castor.engine.test") { _ in SwiftLogNoOpLogHandler() })
        return queue.sync {
            Engine(configuration: configuration, credentials: credentials, endpoints: endpoints, logger: logger,
                   queue: queue, clock: clock, feeds: feeds, strategies: strategies)
        }
    }

    func start(_ engine: Engine) async -> Result<Void, EngineError> {
        await withCheckedContinuation { c in
            queue.async { engine.start { c.resume(returning: $0) } }
        }
    }

    /// Stops `engine` with a shutdown deadline of `seconds`: generous by default, since a
    /// cancel is a REST round trip to the in-process simulator, whose server shares the two
    /// cores with every other suite (the deadline only bounds the wait, it is not slept).
    func shutdown(_ engine: Engine, cancel: Bool = true, seconds: Int = 30) async -> Result<Void, EngineError> {
        await withCheckedContinuation { c in
            queue.async { engine.shutdown(cancelOpenOrders: cancel, deadline: .now() + .seconds(seconds)) { c.resume(returning: $0) } }
        }
    }

    func apply(_ engine: Engine, _ configuration: CastorConfiguration) async -> Result<ReloadOutcome, EngineError> {
        await withCheckedContinuation { c in
            queue.async { engine.apply(configuration: configuration) { c.resume(returning: $0) } }
        }
    }

    func on<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}
