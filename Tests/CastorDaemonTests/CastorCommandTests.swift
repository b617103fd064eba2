import CastorTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `castor` executable's short-lived commands, run as child processes: what systemd and
/// deploy scripts rely on (exit codes, `--version`), no daemon started.
@Suite(.timeLimit(.minutes(1)), .enabled(if: CastorExecutable.path != nil, "build the castor product first"))
struct CastorCommandTests {
    static var binary: String { CastorExecutable.path ?? "/nonexistent/castor" }

    /// A private temporary directory, removed by the caller.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("castor-command-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let bad = """
    [engine]
    symbols = ["BTCUSD"]
    shutdown_timeout = "nonsense"

    [risk]
    max_open_orders = -3
    """

    /// A clean environment: no credentials, no journal.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["CASTOR_API_KEY", "CASTOR_API_SECRET", "CREDENTIALS_DIRECTORY", "JOURNAL_STREAM", "NOTIFY_SOCKET"] { env[key] = nil }
        return env
    }

    @Test func checkConfigExits78OnABadFileAnd0OnAGoodOne() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let badFile = dir.appendingPathComponent("bad.toml")
        try Self.bad.write(to: badFile, atomically: true, encoding: .utf8)
        let refused = try await runToExit(Self.binary, ["check-config", badFile.path], environment: Self.environment, seconds: 30)
        #expect(refused.status == 78, "check-config on a bad file: exit \(refused.status), output \(refused.output)")
        #expect(refused.output.contains("bad.toml"), "the errors name the file: \(refused.output)")

        let missing = try await runToExit(Self.binary, ["check-config", dir.appendingPathComponent("absent.toml").path],
                                          environment: Self.environment, seconds: 30)
        #expect(missing.status == 78, "a missing file: exit \(missing.status), output \(missing.output)")

        let example = UnitFileRoot.repoRoot.appendingPathComponent("examples/castor.toml").path
        let good = try await runToExit(Self.binary, ["check-config", example], environment: Self.environment, seconds: 30)
        #expect(good.status == 0, "check-config on examples/castor.toml: exit \(good.status), output \(good.output)")
        #expect(good.output.contains("OK"))
    }

    /// One run lists every problem, in line order: the file's and the strategy's.
    @Test func checkConfigListsTheFilesAndTheStrategysProblemsTogether() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("both.toml")
        try """
            [engine]
            symbols = ["BTCUSD"]
            [strategy]
            name = "market-maker"
            [strategy.params]
            sprad_bps = 4
            [risk]
            max_ordr = 3
            """.write(to: file, atomically: true, encoding: .utf8)
        let refused = try await runToExit(Self.binary, ["check-config", file.path], environment: Self.environment, seconds: 30)
        #expect(refused.status == 78, "exit \(refused.status), output \(refused.output)")
        let lines = refused.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(refused.output)")
        #expect(lines.first?.hasSuffix(#"both.toml:6: market-maker: strategy.params.sprad_bps: is not a parameter of this strategy (did you mean "spread_bps"?); its parameters are max_position, requote_bps, size, skew_bps_per_unit, spread_bps, symbol"#) == true,
                "\(refused.output)")
        #expect(lines.last?.contains("both.toml:8: risk.max_ordr: unknown key") == true, "\(refused.output)")
    }

    /// The daemon itself refuses a bad file with 78 before starting anything, so the unit's
    /// `RestartPreventExitStatus=78` stops systemd from retrying.
    @Test func runExits78OnABadFile() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let badFile = dir.appendingPathComponent("bad.toml")
        try Self.bad.write(to: badFile, atomically: true, encoding: .utf8)
        let refused = try await runToExit(Self.binary, ["run", "--config", badFile.path], environment: Self.environment, seconds: 30)
        #expect(refused.status == 78, "castor run on a bad file: exit \(refused.status), output \(refused.output)")
    }

    /// Keys the new WebSocket API refuses (master/group keys, counter nonces) stop the
    /// daemon with 78 and the fix, before any connection; `api = "legacy"` takes them.
    @Test func runExits78ForAKeyTheWebSocketAPIRefuses() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [(String, String)] = [
            ("[venue]\nname = \"sandbox\"\n[engine]\nstate_directory = \"\(dir.path)\"\n", "master-abc123"),
            ("[venue]\nname = \"sandbox\"\n[account]\nnonce_format = \"milliseconds\"\n[engine]\nstate_directory = \"\(dir.path)\"\n",
             "account-abc123"),
        ]
        for (text, key) in cases {
            let file = dir.appendingPathComponent("key.toml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            var env = Self.environment
            env["CASTOR_API_KEY"] = key
            env["CASTOR_API_SECRET"] = "not-a-real-secret"
            let refused = try await runToExit(Self.binary, ["run", "--config", file.path], environment: env, seconds: 30)
            #expect(refused.status == 78, "\(key): exit \(refused.status), output \(refused.output)")
            #expect(refused.output.contains("api = \"legacy\""), "the fix is named: \(refused.output)")
            #expect(!refused.output.contains("not-a-real-secret"))
        }
    }

    /// Under journald (`JOURNAL_STREAM` names stderr itself) the refusal's lines carry the
    /// error priority, so `journalctl -p err` shows why a reload or a start failed.
    @Test func checkConfigErrorsCarryTheErrorPriorityUnderJournald() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let badFile = dir.appendingPathComponent("bad.toml")
        try Self.bad.write(to: badFile, atomically: true, encoding: .utf8)
        for journal in [true, false] {
            let outputFile = dir.appendingPathComponent("stderr-\(journal)")
            FileManager.default.createFile(atPath: outputFile.path, contents: nil)
            let handle = try FileHandle(forWritingTo: outputFile)
            var info = stat()
            try #require(fstat(handle.fileDescriptor, &info) == 0)
            var env = Self.environment
            // Not journald's stream: the dev:ino of another file (inherited from a parent).
            env["JOURNAL_STREAM"] = journal ? "\(info.st_dev):\(info.st_ino)" : "\(info.st_dev):\(info.st_ino &+ 1)"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = ["check-config", badFile.path]
            process.environment = env
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
            #expect(await exited.wait(seconds: 30))
            try handle.close()
            #expect(process.terminationStatus == 78)
            let lines = try String(contentsOf: outputFile, encoding: .utf8).split(separator: "\n")
            #expect(!lines.isEmpty)
            for line in lines {
                #expect(line.hasPrefix("<3>") == journal, "JOURNAL_STREAM \(journal ? "matching" : "not matching"): \(line)")
            }
        }
    }

    /// `castor --version`: the release, and the plug-in ABI a strategy plug-in must match
    /// (the entry point symbol and interface version `PluginLoader` checks, and the compiler).
    @Test func versionPrintsTheReleaseAndThePluginABI() async throws {
        let outcome = try await runToExit(Self.binary, ["--version"], environment: Self.environment, seconds: 30)
        #expect(outcome.status == 0)
        let lines = outcome.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(outcome.output)")
        // The build's git commit (the CastorBuildInfo plugin): this checkout's HEAD.
        let first = try #require(lines.first)
        let match = try #require(first.firstMatch(of: /^castor \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}|unknown)\)$/),
                                 "\(outcome.output)")
        let head = try await runToExit("/usr/bin/git", ["-C", UnitFileRoot.repoRoot.path, "rev-parse", "HEAD"],
                                       environment: Self.environment, seconds: 30)
        if head.status == 0 {
            #expect(head.output.hasPrefix(String(match.1.prefix(12))), "built from \(match.1), HEAD is \(head.output)")
        }
        #expect(lines.last?.range(of: #"^plugin-abi castor_strategy_plugin_v1/\d+ swift \d+\.\d+\+?$"#, options: .regularExpression) != nil,
                "\(outcome.output)")
        // The interface version the plug-in example is built against: the one this source
        // tree declares (StrategyPluginABI.interfaceVersion).
        let abi = try String(contentsOf: UnitFileRoot.repoRoot.appendingPathComponent("Sources/CastorStrategy/StrategyPluginABI.swift"), encoding: .utf8)
        let declared = try #require(abi.firstMatch(of: /interfaceVersion: UInt32 \{ (\d+) \}/)?.1)
        #expect(lines.last?.contains("castor_strategy_plugin_v1/\(declared) ") == true, "\(outcome.output)")
    }
}

/// The repository root (this file is Tests/CastorDaemonTests/CastorCommandTests.swift).
enum UnitFileRoot {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// `castor list-strategies` and `castor show-config`: what an operator reads before writing
/// or changing a configuration.
extension CastorCommandTests {
    @Test func listStrategiesShowsEveryBuiltInAndItsParameters() async throws {
        let text = try await runToExit(Self.binary, ["list-strategies"], environment: Self.environment, seconds: 30)
        #expect(text.status == 0, "exit \(text.status), output \(text.output)")
        for name in ["market-maker", "grid", "twap", "observe", "spread_bps", "target_amount"] {
            #expect(text.output.contains(name), "\(name) missing from: \(text.output)")
        }

        let json = try await runToExit(Self.binary, ["list-strategies", "--format", "json"], environment: Self.environment, seconds: 30)
        #expect(json.status == 0, "exit \(json.status), output \(json.output)")
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let strategies = try #require(object?["strategies"] as? [[String: Any]])
        #expect(Set(strategies.compactMap { $0["name"] as? String }) == ["market-maker", "grid", "twap", "observe"])
        let twap = try #require(strategies.first { $0["name"] as? String == "twap" })
        let required = (twap["parameters"] as? [[String: Any]] ?? []).filter { $0["required"] as? Bool == true }
        #expect(required.compactMap { $0["name"] as? String } == ["side", "target_amount"])
    }

    @Test func listStrategiesExits78ForAPlugInThatCannotBeLoaded() async throws {
        let outcome = try await runToExit(Self.binary, ["list-strategies", "--plugin", "/nonexistent/libnothing.so"],
                                          environment: Self.environment, seconds: 30)
        #expect(outcome.status == 78, "exit \(outcome.status), output \(outcome.output)")
        #expect(outcome.output.contains("/nonexistent/libnothing.so"), "the error names the file: \(outcome.output)")
    }

    @Test func showConfigPrintsAConfigurationThatChecksAndRefusesABadFile() async throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let shown = try await runToExit(Self.binary, ["show-config"], environment: Self.environment, seconds: 30)
        #expect(shown.status == 0, "exit \(shown.status), output \(shown.output)")
        #expect(shown.output.contains("[engine]"), "\(shown.output)")
        let file = dir.appendingPathComponent("shown.toml")
        try shown.output.write(to: file, atomically: true, encoding: .utf8)
        let checked = try await runToExit(Self.binary, ["check-config", file.path], environment: Self.environment, seconds: 30)
        #expect(checked.status == 0, "show-config's output does not check: \(checked.output)\n---\n\(shown.output)")

        let example = UnitFileRoot.repoRoot.appendingPathComponent("examples/castor.toml").path
        let fromExample = try await runToExit(Self.binary, ["show-config", example], environment: Self.environment, seconds: 30)
        #expect(fromExample.status == 0, "exit \(fromExample.status), output \(fromExample.output)")

        let badFile = dir.appendingPathComponent("bad.toml")
        try Self.bad.write(to: badFile, atomically: true, encoding: .utf8)
        let refused = try await runToExit(Self.binary, ["show-config", badFile.path], environment: Self.environment, seconds: 30)
        #expect(refused.status == 78, "exit \(refused.status), output \(refused.output)")
        #expect(refused.output.contains("bad.toml"), "the errors name the file: \(refused.output)")
    }
}
