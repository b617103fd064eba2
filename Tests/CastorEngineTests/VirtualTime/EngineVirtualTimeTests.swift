import CastorConfig
import CastorCore
import CastorEngine
import CastorFeeds
import CastorStrategy
import CastorTrading
import Dispatch
import Foundation
import GeminiProtocol
import Logging
import Synchronization
import Testing

/// The engine on a `ManualClock` against a `ScriptedVenue`: no simulator, no socket, no
/// wall-clock wait. Every deadline (the lookup delay, backoff, the 1 s tick) passes when
/// the test advances the clock, so these cases run in milliseconds whatever the delays.
///
/// They are also the proof that the engine sees its venue only through `VenueExecution`
/// and the feed adapter protocols: nothing here speaks Gemini's wire format.
@Suite(.serialized) struct EngineVirtualTimeTests {
    /// A counter shared with the feed factory's closure.
    final class Count: Sendable {
        private let n = Mutex(0)
        var value: Int { n.withLock { $0 } }
        func add() { n.withLock { $0 += 1 } }
    }

    static let t0: Int64 = 1_780_000_000_000

    final class Harness: @unchecked Sendable {
        let queue = DispatchQueue(label: "castor.engine.virtual-time")
        let clock = ManualClock(startMs: EngineVirtualTimeTests.t0)
        let venue = ScriptedVenue()
        let stateDirectory: String
        let strategy: RestingOrders
        let engine: Engine
        let log = LogRecorder()
        let configuration: CastorConfiguration
        /// Feed adapters made so far (each reconnect makes new ones).
        let marketFeedsMade = Count()

        /// - Parameter orderEvents: the order-events adapter (default: `SilentOrderEvents`).
        init(orders: [RestingOrders.Order], privatePerSecond: Double = 5, privateBurst: Int = 5,
             orderEvents: (@Sendable (EngineFeedContext) -> any OrderEventsFeedAdapter)? = nil) throws {
            stateDirectory = FileManager.default.temporaryDirectory
                .appendingPathComponent("castor-virtual-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            var c = CastorConfiguration(environment: [:])
            c.venue = .custom(restURL: "http://127.0.0.1:9", websocketURL: "ws://127.0.0.1:9")
            c.engine.stateDirectory = stateDirectory
            c.engine.symbols = ["BTCUSD"]
            c.strategy.selection = .plugin(path: "/none", name: RestingOrders.name)
            c.strategy.parameters = StrategyParameterTable([:])
            c.risk.defaults = RiskLimits(maxOrderNotional: 1_000_000, maxPosition: 50, maxOpenOrders: 20, priceBandBps: 500,
                                         maxOrdersPerMinute: 600, killSwitch: false)
            c.rateLimits.privatePerSecond = privatePerSecond
            c.rateLimits.privateBurst = privateBurst
            configuration = c
            let strategy = RestingOrders(orders)
            self.strategy = strategy
            let (venue, made) = (venue, marketFeedsMade)
            let feeds = EngineFeedFactory(
                makeExecution: { _ in venue },
                makeMarketData: {
                    made.add()
                    return FixedBookFeed(books: $0.books, bid: ExactDecimal(49_990), ask: ExactDecimal(50_010))
                },
                makeOrderEvents: { orderEvents?($0) ?? SilentOrderEvents() })
            let endpoints = try EngineEndpoints(restBaseURL: "http://127.0.0.1:9", webSocketBaseURL: "ws://127.0.0.1:9")
            let credentials = try APICredentials(key: "account-virtual", secret: "not-a-secret")
            let logger = log.logger
            let (queue, clock) = (queue, clock)
            engine = queue.sync {
                Engine(configuration: c, credentials: credentials, endpoints: endpoints, logger: logger, queue: queue,
                       clock: clock.engineClock, feeds: feeds,
                       strategies: [ClosureStrategyFactory(name: RestingOrders.name) { _ in strategy }])
            }
        }

        /// Starts the engine, running virtual time until the start-up answers: its venue
        /// calls wait for the rate buckets' tokens like any others.
        func start() async -> Result<Void, EngineError> {
            let answer = Mutex<Result<Void, EngineError>?>(nil)
            queue.async { self.engine.start { r in answer.withLock { $0 = r } } }
            _ = advance(untilWithinMs: 30_000) { answer.withLock { $0 } != nil }
            return answer.withLock { $0 } ?? .failure(.invalidState("the start-up did not finish within 30 s of virtual time"))
        }

        /// Runs what the engine queue has posted, and what that posts, `rounds` hops deep:
        /// every venue answer is one `async` hop, so this is deterministic, not a wait.
        func settle(rounds: Int = 32) {
            for _ in 0..<rounds { queue.sync {} }
        }

        /// Moves virtual time on, running the engine's timers as they fall due.
        func advance(byMs ms: Int64) {
            var left = ms
            while left > 0 {
                let step = min(left, 100)
                clock.advance(byMs: step)
                settle()
                left -= step
            }
        }

        /// Advances virtual time in 10 ms steps until `condition` holds; false if it still
        /// does not after `budgetMs` of virtual time.
        func advance(untilWithinMs budgetMs: Int64, _ condition: () -> Bool) -> Bool {
            let end = clock.nowMs + budgetMs
            while !condition() {
                guard clock.nowMs < end else { return false }
                clock.advance(byMs: 10)
                settle()
            }
            return true
        }

        /// The first placement, once the strategy has started (after start-up's
        /// reconciliation, which the rate buckets may spread over a few virtual seconds).
        func firstPlacement() -> ClientOrderID? {
            _ = advance(untilWithinMs: 10_000) { !venue.orderCalls.isEmpty }
            guard case .place(let id)? = venue.orderCalls.first else { return nil }
            return id
        }

        func on<T>(_ body: () -> T) -> T { queue.sync(execute: body) }

        /// Applies `configuration` and runs virtual time until the reload answers.
        func reload(_ configuration: CastorConfiguration) -> Result<ReloadOutcome, EngineError>? {
            let answer = Mutex<Result<ReloadOutcome, EngineError>?>(nil)
            queue.async { self.engine.apply(configuration: configuration) { r in answer.withLock { $0 = r } } }
            _ = advance(untilWithinMs: 10_000) { answer.withLock { $0 } != nil }
            return answer.withLock { $0 }
        }

        /// Shuts down and runs virtual time until the shutdown answers.
        func shutdown() -> Result<Void, EngineError>? {
            let answer = Mutex<Result<Void, EngineError>?>(nil)
            queue.async {
                self.engine.shutdown(cancelOpenOrders: true, deadline: .now() + .seconds(30)) { r in answer.withLock { $0 = r } }
            }
            _ = advance(untilWithinMs: 30_000) { answer.withLock { $0 } != nil }
            return answer.withLock { $0 }
        }

        deinit { try? FileManager.default.removeItem(atPath: stateDirectory) }
    }

    /// A placement that timed out but reached the venue is looked up by its client order
    /// id after the lookup delay, found and adopted: one intent, one order, no resend.
    @Test func aTimedOutPlacementThatReachedTheVenueIsLookedUpAndAdoptedNotResent() async throws {
        let h = try Harness(orders: [(.buy, 49_995, "0.02")])
        h.venue.scriptPlacements([.fail(.timeout, reachedVenue: true)])
        try await h.start().get()
        let id = try #require(h.firstPlacement(), "no placement: \(h.venue.calls)")
        let placedAt = h.clock.nowMs
        // Nothing happens before the lookup delay (1 s plus jitter): no resend in between.
        h.advance(byMs: 900)
        #expect(h.venue.orderCalls == [.place(id)])
        h.advance(byMs: 10_000)
        #expect(h.venue.orderCalls == [.place(id), .lookupClientOrderID(id)])
        #expect(h.venue.resting.count == 1)
        #expect(h.on { h.engine.openOrderCount } == 1)
        #expect(h.clock.nowMs == placedAt + 10_900)
        // The failure is logged as typed fields, not prose.
        let failed = try #require(h.log.records.first { $0.metadata["event"] == "orders.send_failed" })
        #expect(failed.metadata["reason"] == "timeout")
        #expect(failed.metadata["may_have_executed"] == "true")
        #expect(failed.metadata["client_order_id"] == id.rawValue)
        #expect(failed.metadata["side"] == "buy")
        #expect(failed.metadata["price"] == "49995.00")  // on the price grid, written with the step's places
        #expect(failed.metadata["amount"] == "0.02000000")
    }

    /// A placement that timed out and never reached the venue is looked up, found missing,
    /// and only then sent again under the same client order id.
    @Test func aTimedOutPlacementThatNeverArrivedIsResentOnlyAfterTheLookupSaysNotFound() async throws {
        let h = try Harness(orders: [(.buy, 49_995, "0.02")])
        h.venue.scriptPlacements([.fail(.timeout, reachedVenue: false)])
        try await h.start().get()
        let id = try #require(h.firstPlacement(), "no placement: \(h.venue.calls)")
        h.advance(byMs: 30_000)
        #expect(h.venue.orderCalls == [.place(id), .lookupClientOrderID(id), .place(id)])
        #expect(h.venue.resting.keys.map(\.self) == [id])
        #expect(h.on { h.engine.openOrderCount } == 1)
    }

    /// A refusal that cannot have executed (an authentication failure) is final: no
    /// lookup-driven resend keeps hammering the venue with the same order.
    @Test func anAuthenticationRefusalIsNotResent() async throws {
        let h = try Harness(orders: [(.buy, 49_995, "0.02")])
        let refusal = VenueRefusal(reason: VenueReason("InvalidSignature"), classification: .fatalConfiguration,
                                   message: "signature rejected")
        h.venue.scriptPlacements([.fail(.exchange(refusal, httpStatus: 400), reachedVenue: false)])
        try await h.start().get()
        _ = try #require(h.firstPlacement(), "no placement: \(h.venue.calls)")
        h.advance(byMs: 60_000)
        let places = h.venue.orderCalls.filter { if case .place = $0 { true } else { false } }
        #expect(places.count == 1, "\(h.venue.orderCalls)")
        let failed = try #require(h.log.records.first { $0.metadata["event"] == "orders.send_failed" })
        #expect(failed.metadata["reason"] == "InvalidSignature")
        #expect(failed.metadata["may_have_executed"] == "false")
        #expect(h.venue.resting.isEmpty)
        #expect(h.on { h.engine.openOrderCount } == 0)
    }

    /// A shutdown cancels the session's orders, confirms none is left open and catches up
    /// on fills before it completes, all on virtual time.
    @Test func shutdownCancelsOpenOrdersAndCompletes() async throws {
        let h = try Harness(orders: [(.buy, 49_995, "0.02"), (.sell, 50_005, "0.01")])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.resting.count == 2 })
        #expect(h.advance(untilWithinMs: 10_000) { h.on { h.engine.openOrderCount } == 2 })
        let result = Mutex<Result<Void, EngineError>?>(nil)
        h.queue.async {
            h.engine.shutdown(cancelOpenOrders: true, deadline: .now() + .seconds(30)) { r in result.withLock { $0 = r } }
        }
        #expect(h.advance(untilWithinMs: 30_000) { result.withLock { $0 } != nil })
        #expect(throws: Never.self) { try result.withLock { $0 }?.get() }
        #expect(h.venue.resting.isEmpty)
        #expect(h.venue.orderCalls.contains(.cancelSession))
        #expect(h.on { h.engine.openOrderCount } == 0)
    }

    /// A reload that adds a symbol fetches its rules and reconnects market data; one that
    /// adds a closed symbol is refused and the running configuration stays in force.
    @Test func aReloadAddsAnOpenSymbolAndRefusesAClosedOne() async throws {
        let h = try Harness(orders: [])
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 10_000) { h.on { h.engine.reconciliationsCompleted } >= 1 })
        let feedsBefore = h.marketFeedsMade.value

        var added = h.configuration
        added.engine.symbols = ["BTCUSD", "ETHUSD"]
        let outcome = try #require(h.reload(added), "the reload never answered")
        let applied = try outcome.get()
        #expect(applied.reconnected)
        #expect(h.venue.calls.contains(.symbolRules(Symbol("ETHUSD"))))
        #expect(h.marketFeedsMade.value == feedsBefore + 1)

        h.venue.close(Symbol("SOLUSD"))
        var closed = added
        closed.engine.symbols = ["BTCUSD", "ETHUSD", "SOLUSD"]
        let refused = try #require(h.reload(closed), "the reload never answered")
        guard case .failure = refused else {
            Issue.record("a closed symbol must be refused, got \(refused)")
            return
        }
        #expect(h.marketFeedsMade.value == feedsBefore + 1, "a refused reload reconnects nothing")
        #expect(h.on { h.engine.strategyName } == RestingOrders.name, "the engine runs on")
    }

    /// A shutdown with new orders still queued behind the rate limit: the queued ones are
    /// dropped unsent (none leaves after the shutdown began) and those placed are cancelled.
    @Test func aShutdownWithABacklogSendsNothingNewAndCancelsWhatWasPlaced() async throws {
        let orders: [RestingOrders.Order] = (0..<8).map { (.buy, 49_900 + $0, "0.01") }
        let h = try Harness(orders: orders, privatePerSecond: 1, privateBurst: 1)
        try await h.start().get()
        #expect(h.advance(untilWithinMs: 20_000) { !h.venue.resting.isEmpty })
        let placedBefore = h.venue.orderCalls.filter { if case .place = $0 { true } else { false } }.count
        #expect(placedBefore < orders.count, "the backlog must still be queued: \(placedBefore) placed")
        let callsBefore = h.venue.orderCalls.count

        let result = try #require(h.shutdown(), "the shutdown never answered")
        #expect(throws: Never.self) { try result.get() }
        let after = h.venue.orderCalls.dropFirst(callsBefore)
        #expect(!after.contains { if case .place = $0 { true } else { false } }, "placed after the shutdown began: \(after)")
        #expect(after.contains(.cancelSession))
        #expect(h.venue.resting.isEmpty)
        #expect(h.on { h.engine.openOrderCount } == 0)
    }
}
