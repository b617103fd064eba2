import CastorTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `castor status` and `castor kill-switch` against a running `castor run` (the embedded
/// simulator), through its control socket in the state directory.
@Suite("castor status end to end", .serialized, .timeLimit(.minutes(3)), .tags(.slow),
       .enabled(if: CastorProcess.binary != nil, "build the castor product first"))
struct StatusEndToEndTests {
    /// Runs a short-lived `castor` command to its end and returns its exit status and output.
    static func command(_ arguments: [String], state: String) async throws -> (code: Int32?, output: String) {
        let p = try CastorProcess(arguments: arguments, environment: ["STATE_DIRECTORY": state])
        let code = await p.waitForExit(timeout: 30)
        return (code, p.allLines.joined(separator: "\n"))
    }

    @Test func statusShowsTheRunningEngineAndTheKillSwitchIsEngagedAndReleasedByCommand() async throws {
        let notify = try NotifySocket()
        let state = try CastorProcess.temporaryDirectory("status")
        let castor = try CastorProcess(arguments: ["run"], environment: ["NOTIFY_SOCKET": notify.path, "STATE_DIRECTORY": state])
        try #require(await notify.waitFor("READY=1", timeout: 120, sender: castor) != nil,
                     "no READY=1:\n\(castor.allLines.suffix(30).joined(separator: "\n"))")
        let mode = try FileManager.default.attributesOfItem(atPath: state + "/castor.sock")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let json = try await Self.command(["status", "--json"], state: state)
        #expect(json.code == 0, "\(json.output)")
        let report = try #require(json.output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.first { $0["phase"] != nil }, "no JSON report in: \(json.output)")
        for key in ["strategy", "feeds", "open_orders", "positions", "balances", "pnl", "risk"] {
            #expect(report[key] != nil, "\(key) missing")
        }
        #expect(report["phase"] as? String == "running")
        #expect((report["strategy"] as? [String: Any])?["name"] as? String == "market-maker")
        #expect((report["feeds"] as? [[String: Any]])?.map { $0["state"] as? String } == ["live", "live"])
        #expect(!((report["balances"] as? [Any]) ?? []).isEmpty)

        let text = try await Self.command(["status"], state: state)
        #expect(text.code == 0 && text.output.contains("market-maker") && text.output.contains("order_events"), "\(text.output)")

        let on = try await Self.command(["kill-switch", "on"], state: state)
        #expect(on.code == 0 && on.output.contains("kill switch engaged"), "\(on.output)")
        #expect(await castor.waitForJSON(timeout: 10) { $0["event"] as? String == "killswitch.engaged" && $0["by"] as? String == "control_socket" } != nil)
        let again = try await Self.command(["kill-switch", "on"], state: state)
        #expect(again.output.contains("already"), "\(again.output)")
        let engaged = try await Self.command(["status", "--json"], state: state)
        #expect(engaged.output.contains(#""kill_switch":true"#), "\(engaged.output)")
        let off = try await Self.command(["kill-switch", "off"], state: state)
        #expect(off.code == 0 && off.output.contains("kill switch released"), "\(off.output)")

        castor.signal(SIGTERM)
        #expect(await castor.waitForExit(timeout: 60) == 0)
        #expect(!FileManager.default.fileExists(atPath: state + "/castor.sock"), "the socket outlived the daemon")
        let stopped = try await Self.command(["status"], state: state)
        #expect(stopped.code == 69 && stopped.output.contains("not running"), "\(stopped.output)")
    }
}

/// `castor reload` (the units' `ExecReload=`): the daemon's answer decides the exit code, so
/// `systemctl reload` fails when a valid file is refused at run time.
@Suite("castor reload end to end", .serialized, .timeLimit(.minutes(3)), .tags(.slow),
       .enabled(if: CastorProcess.binary != nil, "build the castor product first"))
struct ReloadCommandEndToEndTests {
    @Test func anAppliedReloadExits0AndOneTheEngineRefusesExits1WithTheReason() async throws {
        let notify = try NotifySocket()
        let state = try CastorProcess.temporaryDirectory("reloadcmd")
        let config = state + "/castor.toml"
        try "[engine]\nsymbols = [\"BTCUSD\"]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let castor = try CastorProcess(arguments: ["run", "--config", config],
                                       environment: ["NOTIFY_SOCKET": notify.path, "STATE_DIRECTORY": state])
        try #require(await notify.waitFor("READY=1", timeout: 120, sender: castor) != nil,
                     "no READY=1:\n\(castor.allLines.suffix(30).joined(separator: "\n"))")
        let same = try await StatusEndToEndTests.command(["reload", "--config", config], state: state)
        #expect(same.code == 0 && same.output.contains("nothing changed"), "\(same.output)")

        // Valid to check-config, refused by the engine: the venue does not list the symbol.
        try "[engine]\nsymbols = [\"BTCUSD\", \"NOSUCHUSD\"]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let refused = try await StatusEndToEndTests.command(["reload", "--config", config], state: state)
        #expect(refused.code == 1 && refused.output.contains("refused"), "\(refused.output)")
        let status = try await StatusEndToEndTests.command(["status", "--json"], state: state)
        #expect(status.output.contains(#""phase":"running""#), "the previous configuration must run on: \(status.output)")

        castor.signal(SIGTERM)
        #expect(await castor.waitForExit(timeout: 60) == 0)
    }
}
