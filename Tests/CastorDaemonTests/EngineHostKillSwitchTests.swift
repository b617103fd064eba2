import CastorConfig
import CastorCore
import CastorDaemon
import Dispatch
import Logging
import Synchronization
import Testing

/// The kill switch across a reload that replaces the engine (`EngineHost.replace`): who
/// engaged it travels with it, except the configuration, which each engine reads from its
/// own file (and whose release by the new file is logged at critical).
@Suite(.timeLimit(.minutes(1)))
struct EngineHostKillSwitchTests {
    final class Records: Sendable {
        let lines = Mutex<[(level: Logger.Level, metadata: [String: String])]>([])
        var logger: Logger { Logger(label: "test") { _ in Handler(records: self) } }

        struct Handler: LogHandler {
            let records: Records
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }
            func log(event: LogEvent) {
                let all = metadata.merging(event.metadata ?? [:]) { $1 }.mapValues { "\($0)" }
                records.lines.withLock { $0.append((event.level, all)) }
            }
        }

        func events(_ name: String) -> [(level: Logger.Level, metadata: [String: String])] {
            lines.withLock { $0.filter { $0.metadata["event"] == name } }
        }
    }

    final class Setup: Sendable {
        let queue = DispatchQueue(label: "test.engine.killswitch")
        let records = Records()
        let built = Locked<[FakeEngine]>([])
        let host: EngineHost

        init() async {
            let (queue, built) = (queue, built)
            host = EngineHost(recipe: Self.recipe(.default, name: "initial", queue: queue, built: built), queue: queue,
                              logger: records.logger, startTimeout: .seconds(5), retireTimeout: .seconds(5))
            let started = DispatchSemaphore(value: 0)
            queue.async { [host] in host.startEngine { _ in started.signal() } }
            _ = await started.wait(seconds: 10)
        }

        static func recipe(_ configuration: CastorConfiguration, name: String, queue: DispatchQueue,
                           built: Locked<[FakeEngine]>) -> EngineRecipe {
            EngineRecipe(configuration: configuration, summary: name) { done in
                let engine = FakeEngine(queue: queue, name: name)
                // As the real engine does: its own file engages it (held by the configuration).
                if configuration.risk.engagesKillSwitch { engine.killSwitchHolder = .configuration }
                built.withLock { $0.append(engine) }
                done(.success(engine))
            }
        }

        /// Replaces the engine with one for `configuration`; the new engine once it runs.
        func replace(with configuration: CastorConfiguration) async -> (EngineHost.ReplaceOutcome?, FakeEngine?) {
            let outcome = Locked<EngineHost.ReplaceOutcome?>(nil)
            let done = DispatchSemaphore(value: 0)
            let new = Self.recipe(configuration, name: "new", queue: queue, built: built)
            queue.async { [host] in
                host.replace(with: new, cancelOpenOrders: true) { result in
                    outcome.withLock { $0 = result }
                    done.signal()
                }
            }
            _ = await done.wait(seconds: 10)
            return (outcome.withLock { $0 }, built.withLock { $0.last })
        }

        func on<T>(_ body: () -> T) -> T { queue.sync(execute: body) }
    }

    static func killSwitchFile(_ on: Bool) -> CastorConfiguration {
        var c = CastorConfiguration.default
        c.risk.defaults.killSwitch = on
        return c
    }

    @Test func aSignalEngagedSwitchIsCarriedToTheNewEngineWhateverTheNewFileSays() async throws {
        let s = await Setup()
        s.on { s.host.engageKillSwitch(by: .signal, detail: "SIGUSR1") }
        let (outcome, new) = await s.replace(with: Self.killSwitchFile(false))
        #expect(outcome == .replaced)
        let engine = try #require(new)
        #expect(engine.name == "new")
        #expect(s.on { engine.killSwitchHolder } == .signal)
        #expect(s.on { s.host.killSwitchHolder } == .signal)
    }

    /// A failure's switch (here the journal's) travels too, with its cause.
    @Test func aFailureEngagedSwitchIsCarriedWithItsCause() async throws {
        let s = await Setup()
        s.on { s.built.withLock { $0[0] }.killSwitchHolder = .journalWriteFailed }
        let (_, new) = await s.replace(with: .default)
        #expect(s.on { new?.killSwitchHolder } == .journalWriteFailed)
    }

    @Test func aSwitchTheOldFileEngagedIsLeftToTheNewFileAndItsReleaseLogged() async throws {
        let s = await Setup()
        s.on { s.built.withLock { $0[0] }.killSwitchHolder = .configuration }
        let (_, released) = await s.replace(with: Self.killSwitchFile(false))
        #expect(s.on { released?.killSwitchHolder } == nil)
        let line = try #require(s.records.events("killswitch.released").first)
        #expect(line.level == .critical)
        #expect(line.metadata["by"] == "configuration")

        // The new file engaging it again: held by the configuration, nothing released.
        let (_, again) = await s.replace(with: Self.killSwitchFile(true))
        #expect(s.on { again?.killSwitchHolder } == .configuration)
        #expect(s.records.events("killswitch.released").count == 1)
    }

    /// Engaged between two engines (nothing runs to take it): the next engine starts with it.
    @Test func engagedWhileNoEngineRunsTheNextOneStartsWithIt() async throws {
        let s = await Setup()
        s.on { s.built.withLock { $0[0] }.shutdownReport = nil }  // the old engine's stop is held
        let new = Setup.recipe(.default, name: "new", queue: s.queue, built: s.built)
        let done = DispatchSemaphore(value: 0)
        s.queue.async { s.host.replace(with: new, cancelOpenOrders: true) { _ in done.signal() } }
        s.on {
            #expect(s.host.engine == nil)
            s.host.engageKillSwitch(by: .signal, detail: "SIGUSR1")
            #expect(s.host.killSwitchHolder == .signal)
            s.built.withLock { $0[0] }.finishShutdown(ManagedEngineShutdownReport(cancelledOrders: 0, ordersLeftOpen: 0, completedInTime: true))
        }
        #expect(await done.wait(seconds: 10))
        let engine = try #require(s.built.withLock { $0.last })
        #expect(engine.name == "new")
        #expect(s.on { engine.killSwitchHolder } == .signal)
    }

    @Test func theOperatorsReleaseClearsWhatTheNextEngineWouldGet() async throws {
        let s = await Setup()
        s.on {
            s.host.engageKillSwitch(by: .signal, detail: "SIGUSR1")
            s.host.releaseKillSwitch(by: .configuration, detail: "kill_switch = false")
            #expect(s.host.killSwitchHolder == .signal, "the file does not release a signal's switch")
            s.host.releaseKillSwitch(by: .operator, detail: "all clear")
            #expect(s.host.killSwitchHolder == nil)
        }
        let (_, new) = await s.replace(with: .default)
        #expect(s.on { new?.killSwitchHolder } == nil)
    }
}
