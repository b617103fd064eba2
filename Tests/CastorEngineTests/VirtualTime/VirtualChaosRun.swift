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

/// One chaos run on virtual time: the real `Engine` with `ChurnStrategy` on a
/// `ManualClock` against a `ChaosVenue` and its `ChaosOrderEvents`, every fault drawn from
/// one seed. Synchronous and blocking (it runs the engine queue with `queue.sync`): call it
/// through `offPool`, never on the cooperative pool.
///
/// The run: start-up without faults; then faults on, the counterparty filling and the
/// order-events connection dropping now and then, until `target` orders reached the venue;
/// then either (`shutdownMidChaos` false) a quiet period (no new intents, no faults)
/// until the engine's fills equal the venue's, followed by a shutdown, or a shutdown at
/// once with the strategy still placing and every fault still on.
///
/// Deterministic: the clock settles the engine queue (`PostedWork`) before each timer and
/// the test settles it around its own turns, so every step starts on an idle queue and the
/// run depends on the seed alone. The engine's random seeds (retry jitter, client order id
/// boot tag) derive from the clock's start time, fixed here.
struct VirtualChaosRun {
    let seed: UInt64
    let target: Int
    var shutdownMidChaos = false
    /// Chance per 10 ms step that the counterparty fills an order, and that the
    /// order-events connection drops.
    var fillChance = 0.12
    var disconnectChance = 0.006
    var faults = ChaosFaults()

    static let t0: Int64 = 1_780_000_000_000
    static let stepMs: Int64 = 10

    /// What the run saw, for the test to assert on (the run itself asserts nothing).
    struct Outcome: Sendable {
        var startError: String?
        var reachedTarget = false
        /// The engine's fills equalled the venue's in the quiet period (nil: none was run).
        var equalWhenQuiet: Bool?
        var shutdown: String = "not run"
        var shutdownSucceeded = false
        var counts = ChaosCounts()
        /// Client order ids with more than one venue order.
        var multiplyPlaced: [String: [Int64]] = [:]
        var doubleLive: Set<String> = []
        var placesAfterShutdown: [String] = []
        var venueFills: [String] = []
        var engineFills: [String] = []
        /// The engine's fills by where it learnt of them (order event, my trades, order status).
        var fillSources: [String: Int] = [:]
        var venueLiveAfter = 0
        var engineOpenAfter = 0
        var orderEventsConnects = 0
        var reconciliations = 0
        var strategyPlaced = 0
        var strategyRefused = 0
        var virtualMs: Int64 = 0
        var wallMs = 0
        /// The venue's call journal: equal for equal seeds.
        var journal: [String] = []
    }

    func run() -> Outcome {
        let wallStart = ContinuousClock.now
        var out = Outcome()
        let queue = DispatchQueue(label: "castor.engine.virtual-chaos")
        let clock = ManualClock(startMs: Self.t0)
        let work = PostedWork(queue: queue)
        let venue = ChaosVenue(seed: seed, clock: clock, work: work)
        let control = ChurnControl()
        let stateDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("castor-virtual-chaos-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: stateDirectory) }
        try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)

        var c = CastorConfiguration(environment: [:])
        c.venue = .custom(restURL: "http://127.0.0.1:9", websocketURL: "ws://127.0.0.1:9")
        c.engine.stateDirectory = stateDirectory
        c.engine.symbols = ["BTCUSD"]
        c.strategy.selection = .plugin(path: "/nonexistent/chaos-churn.so", name: ChurnStrategy.name)
        c.strategy.parameters = StrategyParameterTable([:])
        c.risk.defaults = RiskLimits(maxOrderNotional: 1_000_000, maxPosition: 500, maxOpenOrders: 20, priceBandBps: 500,
                                     maxOrdersPerMinute: 100_000, killSwitch: false)
        c.rateLimits.privatePerSecond = 50
        c.rateLimits.privateBurst = 10
        let feeds = EngineFeedFactory(
            makeExecution: { _ in venue },
            makeMarketData: { FixedBookFeed(books: $0.books, bid: ExactDecimal(49_990), ask: ExactDecimal(50_010)) },
            makeOrderEvents: { ChaosOrderEvents(venue: venue, context: $0) })
        let factory = ClosureStrategyFactory(name: ChurnStrategy.name) { _ in ChurnStrategy(control: control) }
        let logger = VirtualChaosRun.logger()
        let engine: Engine
        do {
            let endpoints = try EngineEndpoints(restBaseURL: "http://127.0.0.1:9", webSocketBaseURL: "ws://127.0.0.1:9")
            let credentials = try APICredentials(key: "account-virtualchaos", secret: "not-a-secret")
            engine = queue.sync {
                Engine(configuration: c, credentials: credentials, endpoints: endpoints, logger: logger, queue: queue,
                       clock: clock.engineClock, feeds: feeds, strategies: [factory])
            }
        } catch {
            out.startError = "\(error)"
            return out
        }

        // Every timer, and every step of the test's own, starts on an idle engine queue: the
        // clock settles (runs what the doubles posted, and what that posted, to the end)
        // before it picks each timer, so the run is a function of the seed, not of thread
        // timing (`PostedWork`).
        clock.setSettle { work.settle() }
        func step() { clock.advance(toMs: clock.nowMs + Self.stepMs) }
        func advance(untilWithinMs budget: Int64, _ condition: () -> Bool) -> Bool {
            let end = clock.nowMs + budget
            while !condition() {
                guard clock.nowMs < end else { return false }
                step()
            }
            return true
        }
        // The test's own turn on the engine queue, between two settled points: what the test
        // posted before it (the shutdown) has run to the end first.
        func chaos() {
            work.settle()
            queue.sync {
                venue.match(probability: fillChance, on: queue)
                if venue.draw() < disconnectChance { venue.disconnectFeed(on: queue) }
            }
            work.settle()
        }
        func engineFills() -> [String] {
            queue.sync { engine.fillLedger.fills.values.map { "\($0.tradeID.rawValue) \($0.amount) \($0.price)" }.sorted() }
        }

        let started = Mutex<Result<Void, EngineError>?>(nil)
        work.async(on: queue) { engine.start { r in started.withLock { $0 = r } } }
        _ = advance(untilWithinMs: 30_000) { started.withLock { $0 } != nil }
        switch started.withLock({ $0 }) {
        case .success?: break
        case .failure(let e)?: out.startError = "\(e)"
        case nil: out.startError = "the start-up did not finish within 30 s of virtual time"
        }
        if out.startError == nil {
            venue.faults = faults
            // Budget: far more virtual time than the orders need at the engine's 50 requests/s.
            let chaosEnd = clock.nowMs + Int64(target) * 1_000 + 60_000
            while venue.counts.placedOnVenue < target, clock.nowMs < chaosEnd {
                step()
                chaos()
            }
            out.reachedTarget = venue.counts.placedOnVenue >= target

            if !shutdownMidChaos {
                // Quiet period, as the real chaos test has: no new intents, no faults, no
                // counterparty. A lost event still unnoticed is found by the next heartbeat.
                control.placing = false
                venue.faults = .none
                out.equalWhenQuiet = advance(untilWithinMs: 60_000) {
                    venue.liveOrders.isEmpty && queue.sync { engine.openOrderCount } == 0 && engineFills() == venue.fills
                }
            }

            let stopped = Mutex<Result<Void, EngineError>?>(nil)
            // No deadline of the engine's own: it would be measured on the real clock
            // (`DispatchTime`) when the engine reads it, so it would land a millisecond either
            // way from run to run; the 120 s of virtual time below bound the shutdown instead.
            work.async(on: queue) {
                venue.markShutdown()
                engine.shutdown(cancelOpenOrders: true, deadline: .distantFuture) { r in stopped.withLock { $0 = r } }
            }
            // Mid-chaos, the counterparty keeps trading and the feed keeps dropping until
            // the shutdown answers.
            _ = advance(untilWithinMs: 120_000) {
                if shutdownMidChaos { chaos() }
                return stopped.withLock { $0 } != nil
            }
            switch stopped.withLock({ $0 }) {
            case .success?: (out.shutdown, out.shutdownSucceeded) = ("completed", true)
            case .failure(let e)?: out.shutdown = "failed: \(e)"
            case nil: out.shutdown = "did not answer within 120 s of virtual time"
            }
        }

        out.counts = venue.counts
        out.multiplyPlaced = venue.ordersPerClientID.filter { $0.value.count > 1 }
        out.doubleLive = venue.doubleLive
        out.placesAfterShutdown = venue.placesAfterShutdown
        out.venueFills = venue.fills
        out.engineFills = engineFills()
        out.venueLiveAfter = venue.liveOrders.count
        queue.sync {
            out.engineOpenAfter = engine.openOrderCount
            for fill in engine.fillLedger.fills.values { out.fillSources[fill.source.rawValue, default: 0] += 1 }
            out.orderEventsConnects = engine.feedConnectCounts.orderEvents
            out.reconciliations = engine.reconciliationsCompleted
        }
        (out.strategyPlaced, out.strategyRefused) = control.counts
        out.journal = venue.journal
        out.virtualMs = clock.nowMs - Self.t0
        let wall = ContinuousClock.now - wallStart
        out.wallMs = Int(wall.components.seconds * 1000 + wall.components.attoseconds / 1_000_000_000_000_000)
        return out
    }
}

extension VirtualChaosRun {
    /// Silent unless `ENGINE_TEST_LOG` is set (then to stderr).
    static func logger() -> Logging.Logger {
        ProcessInfo.processInfo.environment["ENGINE_TEST_LOG"] != nil
            ? Logging.Logger(label: "castor.virtual-chaos") { Logging.StreamLogHandler.standardError(label: $0) }
            : Logging.Logger(label: "castor.virtual-chaos") { _ in Logging.SwiftLogNoOpLogHandler() }
    }
}
