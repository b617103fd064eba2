import CastorDaemon
import CastorSystemd
import Dispatch
import Logging
import Synchronization
import Testing

@Suite("ShutdownSequencer")
struct ShutdownSequencerTests {
    final class Fixture: Sendable {
        let queue = DispatchQueue(label: "test.engine")
        let socket: NotifySocket
        let engine: FakeEngine
        let sequencer: ShutdownSequencer
        let codes = Locked<[Int32]>([])
        let exited = DispatchSemaphore(value: 0)

        let clock = Locked<UInt64>(DispatchTime.now().uptimeNanoseconds)

        init(report: ManagedEngineShutdownReport?) throws {
            socket = try NotifySocket()
            engine = FakeEngine(queue: queue)
            let codes = self.codes, exited = self.exited, clock = self.clock
            sequencer = ShutdownSequencer(queue: queue, engine: engine, notifier: SystemdNotifier(socketPath: socket.path),
                                          logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                          now: { DispatchTime(uptimeNanoseconds: clock.withLock { $0 }) },
                                          exit: { code in codes.withLock { $0.append(code) }; exited.signal() })
            queue.sync { engine.shutdownReport = report }
        }
    }

    @Test func gracefulShutdownSendsStoppingRunsStepsAndExitsZero() async throws {
        let f = try Fixture(report: ManagedEngineShutdownReport(cancelledOrders: 3, ordersLeftOpen: 0, completedInTime: true))
        let steps = Locked<[String]>([])
        f.queue.sync {
            f.sequencer.addStepAfterEngine("simulator") { done in steps.withLock { $0.append("simulator") }; done() }
            f.sequencer.begin(reason: "SIGTERM", cancelOpenOrders: true, timeout: .seconds(20))
        }
        #expect(await f.socket.next(timeout: 10) == ["STOPPING=1"])
        #expect(await f.exited.wait(seconds: 10))
        #expect(f.codes.withLock { $0 } == [0])
        #expect(steps.withLock { $0 } == ["simulator"])
        #expect(f.queue.sync { f.engine.shutdownCalls.map(\.cancel) } == [true])
        #expect(f.queue.sync { f.sequencer.phase } == .exited(code: 0))
    }

    @Test func cancelOnShutdownFalseIsPassedThrough() async throws {
        let f = try Fixture(report: ManagedEngineShutdownReport(cancelledOrders: 0, ordersLeftOpen: 2, completedInTime: true))
        f.queue.sync { f.sequencer.begin(reason: "SIGINT", cancelOpenOrders: false, timeout: .seconds(20)) }
        #expect(await f.exited.wait(seconds: 10))
        #expect(f.queue.sync { f.engine.shutdownCalls.map(\.cancel) } == [false])
        #expect(f.codes.withLock { $0 } == [0])
    }

    @Test func secondSignalForcesExitOne() async throws {
        let f = try Fixture(report: nil)
        f.queue.sync {
            f.sequencer.begin(reason: "SIGTERM", cancelOpenOrders: true, timeout: .seconds(60))
            // The same request delivered twice at once is not a second request.
            f.sequencer.begin(reason: "SIGTERM", cancelOpenOrders: true, timeout: .seconds(60))
            #expect(f.sequencer.phase == .stopping)
            f.clock.withLock { $0 += 1_500_000_000 }
            f.sequencer.begin(reason: "SIGINT", cancelOpenOrders: true, timeout: .seconds(60))
        }
        #expect(await f.exited.wait(seconds: 10))
        #expect(f.codes.withLock { $0 } == [1])
    }

    @Test func deadlineForcesExitOneWhenTheEngineHangs() async throws {
        let f = try Fixture(report: nil)
        let started = DispatchTime(uptimeNanoseconds: f.clock.withLock { $0 })  // the sequencer's clock
        f.queue.sync { f.sequencer.begin(reason: "SIGTERM", cancelOpenOrders: true, timeout: .milliseconds(100), grace: .milliseconds(100)) }
        #expect(await f.exited.wait(seconds: 10))
        #expect(f.codes.withLock { $0 } == [1])
        #expect(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds >= 200_000_000)
        // The engine got the shorter deadline, so it can finish before the forced exit.
        let deadline = try #require(f.queue.sync { f.engine.shutdownCalls.first?.deadline })
        #expect(deadline.uptimeNanoseconds - started.uptimeNanoseconds < 200_000_000)
    }

    @Test func engineOutOfTimeExitsOne() async throws {
        let f = try Fixture(report: ManagedEngineShutdownReport(cancelledOrders: 1, ordersLeftOpen: 1, completedInTime: false))
        f.queue.sync { f.sequencer.begin(reason: "SIGTERM", cancelOpenOrders: true, timeout: .seconds(20)) }
        #expect(await f.exited.wait(seconds: 10))
        #expect(f.codes.withLock { $0 } == [1])
    }
}
