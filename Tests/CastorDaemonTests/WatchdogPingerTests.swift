import CastorDaemon
import CastorSystemd
import Dispatch
import Logging
import Testing

@Suite("WatchdogPinger")
struct WatchdogPingerTests {
    @Test func pingsOnlyWhileTheEngineIsAlive() async throws {
        let queue = DispatchQueue(label: "test.engine")
        let socket = try NotifySocket()
        let engine = FakeEngine(queue: queue)
        queue.sync { engine.alive = false }
        let pinger = WatchdogPinger(queue: queue, interval: .milliseconds(20), notifier: SystemdNotifier(socketPath: socket.path),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                    isAlive: { engine.isAlive })
        queue.sync { pinger.start() }
        // Wait (by polling the engine's own counter, with a deadline) for three withheld ticks.
        let deadline = DispatchTime.now() + 10
        while queue.sync(execute: { engine.aliveChecks }) < 3 && DispatchTime.now() < deadline {
            _ = await socket.next(timeout: 0.02).map { Issue.record("ping while not alive: \($0)") }
        }
        #expect(queue.sync { pinger.pingsSent } == 0)
        queue.sync { engine.alive = true }
        #expect(await socket.next(timeout: 10) == ["WATCHDOG=1"])
        #expect(await socket.next(timeout: 10) == ["WATCHDOG=1"])
        queue.sync { pinger.stop() }
        #expect(queue.sync { pinger.pingsSent } >= 2)
    }

    @Test func pingsComeFromTheEngineQueue() async throws {
        let queue = DispatchQueue(label: "test.engine")
        let socket = try NotifySocket()
        let pinger = WatchdogPinger(queue: queue, interval: .milliseconds(10), notifier: SystemdNotifier(socketPath: socket.path),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                    isAlive: { dispatchPrecondition(condition: .onQueue(queue)); return true })
        queue.sync { pinger.start() }
        #expect(await socket.next(timeout: 10) == ["WATCHDOG=1"])
        queue.sync { pinger.stop() }
    }
}
