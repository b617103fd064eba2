import CastorCore
@testable import CastorEngine
import CastorTrading
import Dispatch
import Logging
import Testing

/// The reconciliation driver against a fake host: no venue, no engine. The host answers
/// each read when the test says so, on the engine queue, and time is a `ManualClock`.
@Suite struct ReconciliationDriverTests {
    static let btc = Symbol("BTCUSD")

    /// Records what the driver asked for and lets the test answer it.
    final class FakeHost: ReconciliationHost, @unchecked Sendable {
        enum Read: Equatable { case openOrders, trades(Symbol, sinceMs: Int64) }

        let log = LogRecorder()
        var reconciliationLog: Logger { log.logger }
        var reconciledSymbols: [Symbol] = [ReconciliationDriverTests.btc]
        var retriesReconciliation = true
        var catchUpMs: Int64 = 1_000
        private(set) var reads: [Read] = []
        private(set) var applied: [(ReconciliationRun.Fetched, ReconcileTrigger)] = []
        private(set) var ended = 0
        private var answers: [(answer: ([TradeReport]) -> Void, openOrders: ([OrderSnapshot]) -> Void, giveUp: () -> Void)] = []

        func settledOrders() -> Set<ClientOrderID> { [] }
        func catchUpPoint(_ symbol: Symbol) -> Int64 { catchUpMs }

        func fetchOpenOrders(then: @escaping ([OrderSnapshot]) -> Void, onGiveUp: @escaping () -> Void) {
            reads.append(.openOrders)
            answers.append(({ _ in }, then, onGiveUp))
        }

        func fetchTrades(_ symbol: Symbol, sinceMs: Int64, limit: Int,
                         then: @escaping ([TradeReport]) -> Void, onGiveUp: @escaping () -> Void) {
            reads.append(.trades(symbol, sinceMs: sinceMs))
            answers.append((then, { _ in }, onGiveUp))
        }

        func applyReconciliation(_ fetched: ReconciliationRun.Fetched, trigger: ReconcileTrigger) {
            applied.append((fetched, trigger))
        }

        func reconciliationEnded() { ended += 1 }

        /// Answers the oldest read still open with success (no orders, no trades).
        func answer() { let a = answers.removeFirst(); a.openOrders([]); a.answer([]) }
        /// Gives up on the oldest read still open.
        func giveUp() { answers.removeFirst().giveUp() }
        var openReads: Int { answers.count }
    }

    final class Fixture: @unchecked Sendable {
        let queue = DispatchQueue(label: "castor.engine.reconcile-test")
        let clock = ManualClock(startMs: 1_780_000_000_000)
        let host = FakeHost()
        let driver: ReconciliationDriver

        init() {
            driver = ReconciliationDriver(queue: queue, clock: clock.engineClock)
            driver.host = host
        }

        func on<T>(_ body: () -> T) -> T { queue.sync(execute: body) }

        /// Advances virtual time, then lets the timers' work on the queue run.
        func advance(byMs ms: Int64) {
            clock.advance(byMs: ms)
            for _ in 0..<4 { queue.sync {} }
        }
    }

    @Test func aRunReadsOpenOrdersThenTradesThenAppliesAndTellsWhoWaits() {
        let f = Fixture()
        var told = 0
        f.on { f.driver.request(.startup, snapshot: nil) { told += 1 } }
        #expect(f.on { f.driver.isRunning })
        #expect(f.host.reads == [.openOrders])
        f.on { f.host.answer() }
        #expect(f.host.reads == [.openOrders, .trades(Self.btc, sinceMs: 1_000)])
        f.on { f.host.answer() }
        #expect(f.host.applied.map(\.1) == [.startup])
        #expect(f.on { (f.driver.isRunning, f.driver.completed, f.driver.failures) } == (false, 1, 0))
        #expect(told == 1)
        #expect(f.host.ended == 1)
        let started = f.host.log.records.first { $0.metadata["event"] == "reconcile.started" }
        #expect(started?.metadata["reason"] == "startup")
        #expect(started?.metadata["open_orders_from"] == "rest")
    }

    /// A request while one runs waits behind it (the latest wins); those waiting are told
    /// once nothing is left to run.
    @Test func aRequestDuringARunIsQueuedAndRunsAfterIt() {
        let f = Fixture()
        var told: [String] = []
        f.on { f.driver.request(.startup, snapshot: nil) { told.append("startup") } }
        f.on { f.driver.request(.symbolsChanged, snapshot: nil) }
        f.on { f.driver.request(.reconnect, snapshot: []) { told.append("reconnect") } }
        #expect(f.on { f.driver.queued?.trigger } == .reconnect)
        f.on { f.host.answer() }
        f.on { f.host.answer() }
        #expect(f.host.applied.map(\.1) == [.startup])
        #expect(told.isEmpty, "not told while the queued one runs")
        #expect(f.on { f.driver.runningTrigger } == .reconnect)
        // The snapshot stands for the open orders: trades only.
        #expect(f.host.reads.last == .trades(Self.btc, sinceMs: 1_000))
        f.on { f.host.answer() }
        #expect(f.host.applied.map(\.1) == [.startup, .reconnect])
        #expect(told == ["startup", "reconnect"])
        let started = f.host.log.records.filter { $0.metadata["event"] == "reconcile.started" }
        #expect(started.map { $0.metadata["reason"] } == ["startup", "reconnect"])
        #expect(started.last?.metadata["snapshot_orders"] == "0")
    }

    /// A run that gives up while the engine runs is tried again after 5 s of engine clock;
    /// the failure line names the trigger, the read and the symbol as fields.
    @Test func aFailedRunIsRetriedOnTheEngineClock() {
        let f = Fixture()
        f.on { f.driver.request(.reconnect, snapshot: []) }
        f.on { f.host.giveUp() }
        #expect(f.on { (f.driver.isRunning, f.driver.failures, f.driver.isRetryArmed) } == (false, 1, true))
        #expect(f.host.ended == 1)
        let failed = f.host.log.records.first { $0.metadata["event"] == "reconcile.failed_retrying" }
        #expect(failed?.metadata["reason"] == "reconnect")
        #expect(failed?.metadata["step"] == "trades")
        #expect(failed?.metadata["symbol"] == "BTCUSD")
        #expect(failed?.metadata["retry_in_ms"] == "5000")

        f.advance(byMs: 4_999)
        #expect(f.host.reads == [.trades(Self.btc, sinceMs: 1_000)], "no retry before 5 s")
        f.advance(byMs: 1)
        #expect(f.host.reads.last == .openOrders, "the retry asks for the open orders itself")
        #expect(f.on { f.driver.runningTrigger } == .retry)
        f.on { f.host.answer() }
        f.on { f.host.answer() }
        #expect(f.host.applied.map(\.1) == [.retry])
        #expect(f.on { (f.driver.completed, f.driver.failures, f.driver.isRetryArmed) } == (1, 1, false))
    }

    /// Stopping: a failure is final; the shutdown reports what is missing.
    @Test func aFailureWhileStoppingIsNotRetried() {
        let f = Fixture()
        f.host.retriesReconciliation = false
        f.on { f.driver.request(.shutdownCatchUp, snapshot: nil) }
        f.on { f.host.giveUp() }
        #expect(f.on { f.driver.isRetryArmed } == false)
        let failed = f.host.log.records.first { $0.metadata["event"] == "reconcile.failed_final" }
        #expect(failed?.metadata["reason"] == "shutdown_catch_up")
        #expect(failed?.metadata["step"] == "open_orders")
        f.advance(byMs: 60_000)
        #expect(f.host.reads == [.openOrders])
    }

    /// A retry armed when the engine stops running does nothing when it fires.
    @Test func aRetryThatFiresOnceTheEngineStoppedDoesNothing() {
        let f = Fixture()
        f.on { f.driver.request(.startup, snapshot: nil) }
        f.on { f.host.giveUp() }
        f.host.retriesReconciliation = false
        f.advance(byMs: 5_000)
        #expect(f.host.reads == [.openOrders])
        #expect(f.on { f.driver.isRunning } == false)
    }

    /// A run that gave up keeps the queued request: the retry runs first, then it.
    @Test func aQueuedRequestSurvivesAFailureAndRunsAfterTheRetry() {
        let f = Fixture()
        var told = 0
        f.on { f.driver.request(.startup, snapshot: nil) }
        f.on { f.driver.request(.symbolsChanged, snapshot: nil) { told += 1 } }
        f.on { f.host.giveUp() }
        #expect(f.on { f.driver.queued?.trigger } == .symbolsChanged)
        f.advance(byMs: 5_000)
        f.on { f.host.answer() }
        f.on { f.host.answer() }
        #expect(f.host.applied.map(\.1) == [.retry])
        #expect(f.on { f.driver.runningTrigger } == .symbolsChanged)
        f.on { f.host.answer() }
        f.on { f.host.answer() }
        #expect(f.host.applied.map(\.1) == [.retry, .symbolsChanged])
        #expect(told == 1)
        #expect(f.host.openReads == 0)
    }

    /// Two failures before the retry fires arm one retry, not two.
    @Test func failuresBeforeTheRetryFiresShareIt() {
        let f = Fixture()
        f.on { f.driver.request(.startup, snapshot: nil) }
        f.on { f.host.giveUp() }
        f.advance(byMs: 1_000)
        f.on { f.driver.request(.reconnect, snapshot: []) }
        f.on { f.host.giveUp() }
        #expect(f.clock.pendingTimerCount == 1)
        f.advance(byMs: 4_000)
        #expect(f.on { f.driver.runningTrigger } == .retry)
    }

    /// The retry timer goes with the driver: an engine dropped without shutdown leaves none.
    @Test func droppingTheDriverCancelsItsRetry() {
        let queue = DispatchQueue(label: "castor.engine.reconcile-test.drop")
        let clock = ManualClock(startMs: 0)
        let host = FakeHost()
        queue.sync {
            let driver = ReconciliationDriver(queue: queue, clock: clock.engineClock)
            driver.host = host
            driver.request(.startup, snapshot: nil)
            host.giveUp()
            #expect(clock.pendingTimerCount == 1)
        }
        #expect(clock.pendingTimerCount == 0)
    }
}
