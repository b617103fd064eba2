import CastorConfig
import CastorCore
import CastorDaemon
import CastorSystemd
import Dispatch
import Logging
import Synchronization
import Testing

@Suite("ReloadController", .timeLimit(.minutes(1)))
struct ReloadControllerTests {
    static let grid = """
    [strategy]
    name = "grid"
    """

    static let sandbox = """
    [venue]
    name = "sandbox"
    """

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// A reload controller over a real `EngineHost` whose engines are `FakeEngine`s built by
    /// fake recipes: the initial one is named "initial", a reload's "new <venue>".
    final class Fixture: Sendable {
        let queue = DispatchQueue(label: "test.engine")
        let socket: NotifySocket
        let host: EngineHost
        let controller: ReloadController
        let text: Locked<String>
        let levels = Locked<[Logger.Level]>([])
        /// Every engine built, in order.
        let built = Locked<[FakeEngine]>([])
        /// How engines of a recipe start (by name); absent: they start fine.
        let startResults = Locked<[String: Result<Void, ManagedEngineFailure>]>([:])
        /// Recipes whose engines never finish starting.
        let hangingStarts = Locked<Set<String>>([])
        /// Set: `prepare` refuses with it (credentials, endpoints, strategy checks).
        let prepareFailure = Locked<String?>(nil)
        /// The API key name a non-sim configuration would use now.
        let currentKey: Locked<String?>

        init(initial: CastorConfiguration = .default, runningKey: String? = nil, file: String = "",
             startTimeout: Duration = .seconds(5)) async throws {
            socket = try NotifySocket()
            let text = Locked(file), levels = self.levels, built = self.built, startResults = self.startResults
            let hangingStarts = self.hangingStarts
            let prepareFailure = self.prepareFailure, queue = self.queue
            let currentKey = Locked(runningKey)
            self.text = text
            self.currentKey = currentKey
            let recipe: @Sendable (CastorConfiguration, String) -> EngineRecipe = { configuration, name in
                EngineRecipe(configuration: configuration, summary: name) { done in
                    let engine = FakeEngine(queue: queue, name: name)
                    if let result = startResults.withLock({ $0[name] }) { engine.startResult = result }
                    if hangingStarts.withLock({ $0.contains(name) }) { engine.startResult = nil }
                    built.withLock { $0.append(engine) }
                    done(.success(engine))
                }
            }
            host = EngineHost(recipe: recipe(initial, "initial"), queue: queue, logger: ReloadControllerTests.logger,
                              startTimeout: startTimeout, retireTimeout: .seconds(5))
            controller = ReloadController(
                initial: initial, queue: queue, engine: host, notifier: SystemdNotifier(socketPath: socket.path),
                logger: ReloadControllerTests.logger,
                load: {
                    let current = text.withLock { $0 }
                    do throws(ConfigurationError) { return .success(try CastorConfiguration.parse(text: current, fileName: "castor.toml")) } catch {
                        return .failure(error)
                    }
                },
                prepare: { configuration in
                    if let why = prepareFailure.withLock({ $0 }) { return .failure(ManagedEngineFailure(why)) }
                    return .success(recipe(configuration, "new \(configuration.venue.name)"))
                },
                runningCredentialKey: runningKey,
                credentialKey: { configuration in configuration.venue == .simulator ? nil : currentKey.withLock { $0 } },
                setLogLevel: { level in levels.withLock { $0.append(level) } })
            let started = DispatchSemaphore(value: 0)
            let host = self.host
            queue.async { host.startEngine { _ in started.signal() } }
            #expect(await started.wait(seconds: 10))
        }

        /// The first engine (the one the daemon started with).
        var initial: FakeEngine { built.withLock { $0[0] } }
        var builtNames: [String] { built.withLock { $0.map(\.name) } }

        /// Starts a reload without waiting for it.
        func startReload(_ file: String) -> (outcome: Locked<ReloadController.Outcome?>, done: DispatchSemaphore) {
            text.withLock { $0 = file }
            let outcome = Locked<ReloadController.Outcome?>(nil), done = DispatchSemaphore(value: 0)
            let controller = self.controller
            queue.async { controller.reload { result in outcome.withLock { $0 = result }; done.signal() } }
            return (outcome, done)
        }

        func reload(_ file: String) async -> ReloadController.Outcome? {
            let (outcome, done) = startReload(file)
            guard await done.wait(seconds: 10) else { return nil }
            return outcome.withLock { $0 }
        }
    }

    // MARK: Live changes

    @Test func validChangeIsBracketedByReloadingAndReady() async throws {
        let f = try await Fixture()
        let outcome = await f.reload(Self.grid + "\n[log]\nlevel = \"debug\"\n")
        #expect(outcome == .applied(summary: "strategy grid", deferred: []))
        let first = try #require(await f.socket.next(timeout: 10))
        #expect(first.contains("RELOADING=1"))
        #expect(first.contains { $0.hasPrefix("MONOTONIC_USEC=") && UInt64($0.dropFirst(15)) != nil })
        let second = try #require(await f.socket.next(timeout: 10))
        #expect(second.contains("READY=1"))
        #expect(second.contains("STATUS=fake engine initial"))
        #expect(f.queue.sync { f.initial.applied.map(\.strategy.selection.name) } == ["grid"])
        #expect(f.levels.withLock { $0 } == [.debug])
        #expect(f.queue.sync { f.controller.current.strategy.selection.name } == "grid")
        #expect(f.builtNames == ["initial"])
    }

    @Test func invalidFileChangesNothingAndNeverSendsReloading() async throws {
        let f = try await Fixture()
        let outcome = await f.reload("[strategy]\nname = \"grid\"\n[risk]\nmax_posiiton = 3\n")
        guard case .rejected(let issues)? = outcome else { Issue.record("expected rejection, got \(String(describing: outcome))"); return }
        #expect(issues.contains { $0.hasPrefix("castor.toml:4: risk.max_posiiton") })
        #expect(f.queue.sync { f.initial.applied.isEmpty })
        #expect(f.queue.sync { f.controller.current.strategy.selection.name } == "market-maker")
        // The next valid reload's RELOADING=1 is the first datagram: the rejected one sent none.
        _ = await f.reload(Self.grid)
        #expect(await f.socket.next(timeout: 10)?.contains("RELOADING=1") == true)
    }

    @Test func engineRefusalKeepsRunningConfigurationButStillSendsReady() async throws {
        let f = try await Fixture()
        f.queue.sync { f.initial.refuseApply = "symbols: DOGEUSD: the venue did not give its details" }
        let outcome = await f.reload("[engine]\nsymbols = [\"DOGEUSD\"]\n")
        #expect(outcome == .refused(reason: "symbols: DOGEUSD: the venue did not give its details"))
        #expect(f.queue.sync { f.controller.current.engine.symbols } == ["BTCUSD"])
        #expect(await f.socket.waitFor("READY=1", timeout: 10) != nil)
        // Symbols are applied by the running engine: no engine was replaced.
        #expect(f.builtNames == ["initial"])
        #expect(f.queue.sync { f.initial.shutdownCalls.isEmpty })
    }

    @Test func restartOnlySettingsKeepTheirRunningValues() async throws {
        let f = try await Fixture()
        let outcome = await f.reload(Self.grid + "\n[engine]\nstate_directory = \"/tmp/elsewhere\"\n[log]\nformat = \"text\"\n")
        #expect(outcome == .applied(summary: "strategy grid", deferred: [.stateDirectory, .logFormat]))
        let current = f.queue.sync { f.controller.current }
        #expect(current.engine.stateDirectory == CastorConfiguration.default.engine.stateDirectory)
        #expect(current.log.format == .json)
        #expect(current.strategy.selection.name == "grid")
    }

    @Test func unchangedFileIsANoOp() async throws {
        let f = try await Fixture()
        #expect(await f.reload("") == .unchanged)
        #expect(f.queue.sync { f.initial.applied.isEmpty })
    }

    // MARK: Replacing the engine

    @Test func venueChangeReplacesTheEngineCancellingItsOrdersAndKeepsTheKillSwitch() async throws {
        let f = try await Fixture()
        f.currentKey.withLock { $0 = "account-sandbox01" }
        f.queue.sync { f.host.engageKillSwitch(by: .signal, detail: "SIGUSR1") }
        let outcome = try #require(await f.reload(Self.sandbox + "\n" + Self.grid + "\n[engine]\nstate_directory = \"/tmp/elsewhere\"\n"))
        guard case .applied(let summary, let deferred) = outcome else { Issue.record("expected applied, got \(outcome)"); return }
        #expect(summary == "engine replaced (venue, credentials): new sandbox")
        #expect(deferred == [.stateDirectory])
        #expect(f.builtNames == ["initial", "new sandbox"])
        let (old, new) = f.queue.sync { (f.built.withLock { $0[0] }, f.built.withLock { $0[1] }) }
        f.queue.sync {
            // The old engine stopped as on SIGTERM, cancelling (another venue cannot manage
            // its orders), and retired its key before the new one was built.
            #expect(old.shutdownCalls.map(\.cancel) == [true])
            #expect(old.retireCalls == 1)
            #expect(new.startCalls == 1)
            #expect(new.killSwitch, "a reload must never release the kill switch")
            #expect(f.host.engine === new)
            #expect(f.host.stage == .running)
            #expect(f.controller.current.venue == .sandbox)
            #expect(f.controller.current.strategy.selection.name == "grid")
            // The journal stays where it is.
            #expect(f.controller.current.engine.stateDirectory == CastorConfiguration.default.engine.stateDirectory)
        }
        #expect(await f.socket.next(timeout: 10)?.contains("RELOADING=1") == true)
        let ready = try #require(await f.socket.next(timeout: 10))
        #expect(ready.contains("READY=1") && ready.contains("STATUS=fake engine new sandbox"))
        // The next reload diffs against the new venue and key: nothing changed.
        #expect(await f.reload(Self.sandbox + "\n" + Self.grid + "\n") == .unchanged)
    }

    @Test func newEngineThatDoesNotStartIsReplacedByThePreviousConfiguration() async throws {
        let f = try await Fixture()
        f.currentKey.withLock { $0 = "account-sandbox01" }
        f.startResults.withLock { $0["new sandbox"] = .failure(ManagedEngineFailure("API key roles: the key has no Trader role")) }
        let outcome = await f.reload(Self.sandbox)
        #expect(outcome == .rolledBack(reason: "API key roles: the key has no Trader role"))
        #expect(f.builtNames == ["initial", "new sandbox", "initial"])
        f.queue.sync {
            let engines = f.built.withLock { $0 }
            #expect(engines[0].shutdownCalls.map(\.cancel) == [true])
            // The failed engine's key is retired before the previous configuration starts again.
            #expect(engines[1].retireCalls == 1)
            #expect(engines[2].startCalls == 1)
            #expect(f.host.engine === engines[2])
            #expect(f.host.stage == .running)
            #expect(f.host.recipe.summary == "initial")
            #expect(f.controller.current.venue == .simulator)
        }
        #expect(await f.socket.next(timeout: 10)?.contains("RELOADING=1") == true)
        let ready = try #require(await f.socket.next(timeout: 10))
        #expect(ready.contains("READY=1") && ready.contains("STATUS=fake engine initial"))
    }

    @Test func newEngineThatNeverBecomesReadyIsStoppedAfterTheStartTimeout() async throws {
        let f = try await Fixture(startTimeout: .milliseconds(300))
        f.currentKey.withLock { $0 = "account-sandbox01" }
        f.hangingStarts.withLock { $0.insert("new sandbox") }
        let outcome = await f.reload(Self.sandbox)
        #expect(outcome == .rolledBack(reason: "not ready within 300 ms"))
        #expect(f.builtNames == ["initial", "new sandbox", "initial"])
        f.queue.sync {
            let hung = f.built.withLock { $0[1] }
            // Stopped (it may hold the journal and the key) and retired before the fallback.
            #expect(hung.shutdownCalls.map(\.cancel) == [true])
            #expect(hung.retireCalls == 1)
            #expect(f.host.stage == .running)
        }
    }

    @Test func refusedBeforeAnythingChangesWhenTheNewVenueDoesNotCheckOut() async throws {
        let f = try await Fixture()
        f.currentKey.withLock { $0 = "account-sandbox01" }
        f.prepareFailure.withLock { $0 = "CASTOR_API_SECRET is not set: set both CASTOR_API_KEY and CASTOR_API_SECRET, or neither" }
        let outcome = await f.reload(Self.sandbox)
        #expect(outcome == .refused(reason: "CASTOR_API_SECRET is not set: set both CASTOR_API_KEY and CASTOR_API_SECRET, or neither"))
        f.queue.sync {
            #expect(f.initial.shutdownCalls.isEmpty)
            #expect(f.host.engine === f.initial)
            #expect(f.controller.current.venue == .simulator)
        }
        #expect(f.builtNames == ["initial"])
        // Refused during validation: no RELOADING=1 was sent; the next datagram is the next reload's.
        f.prepareFailure.withLock { $0 = nil }
        _ = await f.reload(Self.grid)
        #expect(await f.socket.next(timeout: 10)?.contains("RELOADING=1") == true)
    }

    @Test func keyRotationOnTheSameAccountKeepsTheOpenOrders() async throws {
        var initial = CastorConfiguration.default
        initial.venue = .sandbox
        let f = try await Fixture(initial: initial, runningKey: "account-old", file: Self.sandbox)
        f.currentKey.withLock { $0 = "account-new" }
        let outcome = await f.reload(Self.sandbox)
        #expect(outcome == .applied(summary: "engine replaced (credentials): new sandbox", deferred: []))
        // The new engine adopts them through the journal and its reconciliation.
        #expect(f.queue.sync { f.initial.shutdownCalls.map(\.cancel) } == [false])
    }

    @Test func sigtermDuringASwapStopsCleanlyAndStartsNothingMore() async throws {
        let f = try await Fixture()
        f.currentKey.withLock { $0 = "account-sandbox01" }
        f.queue.sync { f.initial.shutdownReport = nil }  // the old engine is still cancelling
        let exited = DispatchSemaphore(value: 0)
        let codes = Locked<[Int32]>([])
        let sequencer = ShutdownSequencer(queue: f.queue, engine: f.host, notifier: SystemdNotifier(socketPath: f.socket.path),
                                          logger: Self.logger, exit: { code in codes.withLock { $0.append(code) }; exited.signal() })
        let (outcome, done) = f.startReload(Self.sandbox)
        #expect(await f.socket.next(timeout: 10)?.contains("RELOADING=1") == true)
        f.queue.sync {
            #expect(f.host.stage == .stoppingOld)
            sequencer.begin(reason: "SIGTERM", cancelOpenOrders: true, timeout: .seconds(20))
            f.initial.finishShutdown(ManagedEngineShutdownReport(cancelledOrders: 2, ordersLeftOpen: 0, completedInTime: true))
        }
        #expect(await exited.wait(seconds: 10))
        #expect(codes.withLock { $0 } == [0])
        #expect(await done.wait(seconds: 10))
        #expect(outcome.withLock { $0 } == .interrupted)
        #expect(f.builtNames == ["initial"], "nothing may start once a shutdown began")
        #expect(f.queue.sync { f.host.stage } == .stopped)
        // STOPPING=1 and no READY=1 after it.
        #expect(await f.socket.next(timeout: 10) == ["STOPPING=1"])
    }
}
