import CastorConfig
import CastorEngine
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

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    final class Fixture: Sendable {
        let queue = DispatchQueue(label: "test.engine")
        let socket: NotifySocket
        let engine: FakeEngine
        let controller: ReloadController
        let text: Locked<String>
        let levels = Locked<[Logger.Level]>([])

        init(initial: CastorConfiguration = .default, file: String = "") throws {
            socket = try NotifySocket()
            engine = FakeEngine(queue: queue)
            let text = Locked(file)
            self.text = text
            let levels = self.levels
            controller = ReloadController(
                initial: initial, queue: queue, engine: engine, notifier: SystemdNotifier(socketPath: socket.path),
                logger: ReloadControllerTests.logger,
                load: {
                    let current = text.withLock { $0 }
                    do throws(ConfigurationError) { return .success(try CastorConfiguration.parse(text: current, fileName: "castor.toml")) } catch {
                        return .failure(error)
                    }
                },
                runningCredentialKey: nil, credentialKey: { nil },
                setLogLevel: { level in levels.withLock { $0.append(level) } })
        }

        func reload(_ file: String) -> ReloadController.Outcome? {
            text.withLock { $0 = file }
            let outcome = Locked<ReloadController.Outcome?>(nil), done = DispatchSemaphore(value: 0)
            let controller = self.controller
            queue.async { controller.reload { result in outcome.withLock { $0 = result }; done.signal() } }
            guard done.wait(timeout: .now() + 10) == .success else { return nil }
            return outcome.withLock { $0 }
        }
    }

    @Test func validChangeIsBracketedByReloadingAndReady() throws {
        let f = try Fixture()
        let outcome = f.reload(Self.grid + "\n[log]\nlevel = \"debug\"\n")
        #expect(outcome == .applied(summary: "strategy grid", deferred: []))
        let first = try #require(f.socket.next(timeout: 10))
        #expect(first.contains("RELOADING=1"))
        #expect(first.contains { $0.hasPrefix("MONOTONIC_USEC=") && UInt64($0.dropFirst(15)) != nil })
        let second = try #require(f.socket.next(timeout: 10))
        #expect(second.contains("READY=1"))
        #expect(second.contains("STATUS=fake engine engine"))
        #expect(f.queue.sync { f.engine.applied.map(\.strategy.selection.name) } == ["grid"])
        #expect(f.levels.withLock { $0 } == [.debug])
        #expect(f.queue.sync { f.controller.current.strategy.selection.name } == "grid")
    }

    @Test func invalidFileChangesNothingAndNeverSendsReloading() throws {
        let f = try Fixture()
        let outcome = f.reload("[strategy]\nname = \"grid\"\n[risk]\nmax_posiiton = 3\n")
        guard case .rejected(let issues)? = outcome else { Issue.record("expected rejection, got \(String(describing: outcome))"); return }
        #expect(issues.contains { $0.hasPrefix("castor.toml:4: risk.max_posiiton") })
        #expect(f.queue.sync { f.engine.applied.isEmpty })
        #expect(f.queue.sync { f.controller.current.strategy.selection.name } == "market-maker")
        // The next valid reload's RELOADING=1 is the first datagram: the rejected one sent none.
        _ = f.reload(Self.grid)
        #expect(f.socket.next(timeout: 10)?.contains("RELOADING=1") == true)
    }

    @Test func engineRefusalKeepsRunningConfigurationButStillSendsReady() throws {
        let f = try Fixture()
        f.queue.sync { f.engine.refuseApply = "symbols changed: restart castor to subscribe to new symbols" }
        let outcome = f.reload("[engine]\nsymbols = [\"ETHUSD\"]\n")
        #expect(outcome == .refused(reason: "symbols changed: restart castor to subscribe to new symbols"))
        #expect(f.queue.sync { f.controller.current.engine.symbols } == ["BTCUSD"])
        #expect(f.socket.waitFor("READY=1", timeout: 10) != nil)
    }

    @Test func restartOnlySettingsKeepTheirRunningValues() throws {
        let f = try Fixture()
        let outcome = f.reload(Self.grid + "\n[engine]\nstate_directory = \"/tmp/elsewhere\"\n[log]\nformat = \"text\"\n")
        #expect(outcome == .applied(summary: "strategy grid", deferred: [.stateDirectory, .logFormat]))
        let current = f.queue.sync { f.controller.current }
        #expect(current.engine.stateDirectory == CastorConfiguration.default.engine.stateDirectory)
        #expect(current.log.format == .json)
        #expect(current.strategy.selection.name == "grid")
    }

    @Test func unchangedFileIsANoOp() throws {
        let f = try Fixture()
        #expect(f.reload("") == .unchanged)
        #expect(f.queue.sync { f.engine.applied.isEmpty })
    }
}
