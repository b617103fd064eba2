import CastorConfig
import Foundation
import Testing

/// The shipped systemd units agree with what castor needs (issue 10, "Risks to close").
@Suite struct UnitFileTests {
    /// The repository root (this file is Tests/CastorSystemdTests/UnitFileTests.swift).
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let units = ["castor.service", "castor@.service"]

    /// `[Service]` assignments of a unit file, in order (a key may repeat, as in systemd).
    static func serviceSettings(_ name: String) throws -> [(key: String, value: String)] {
        try settings(name, section: "Service")
    }

    /// One section's assignments of a unit file, in order.
    static func settings(_ name: String, section wanted: String) throws -> [(key: String, value: String)] {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
        var section = "", settings: [(key: String, value: String)] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") { section = String(line.dropFirst().dropLast()); continue }
            guard section == wanted, let equals = line.firstIndex(of: "=") else { continue }
            settings.append((line[..<equals].trimmingCharacters(in: .whitespaces),
                             line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)))
        }
        return settings
    }

    /// A systemd time span (`330`, `330s`, `5min 30s`, `5.5min` is not used) in seconds.
    static func seconds(_ text: String) -> Int? {
        let units: [(String, Int)] = [("min", 60), ("sec", 1), ("s", 1), ("m", 60), ("h", 3600)]
        var total = 0
        for token in text.split(separator: " ") {
            let digits = token.prefix { $0.isASCII && $0.isNumber }
            guard let value = Int(digits) else { return nil }
            let unit = String(token.dropFirst(digits.count))
            if unit.isEmpty { total += value; continue }
            guard let factor = units.first(where: { $0.0 == unit })?.1 else { return nil }
            total += value * factor
        }
        return total
    }

    @Test(arguments: units) func timeoutStopCoversTheLargestShutdownTimeout(unit: String) throws {
        let settings = try Self.serviceSettings(unit)
        let value = try #require(settings.last { $0.key == "TimeoutStopSec" }?.value, "\(unit) has no TimeoutStopSec=")
        let stopSeconds = try #require(Self.seconds(value), "\(unit): TimeoutStopSec=\(value) is not a time span this test reads")
        let largest = EngineConfiguration.shutdownTimeoutRange.upperBound.components.seconds
        // castor's own hard deadline is shutdown_timeout + 2 s; 10 s of margin beyond the
        // configurable maximum leaves room for it and for the simulator/log flush after it.
        #expect(Int64(stopSeconds) >= largest + 10,
                "\(unit): TimeoutStopSec=\(value) is below shutdown_timeout's maximum (\(largest) s) plus a 10 s margin")
    }

    @Test(arguments: units) func coreDumpsAreOff(unit: String) throws {
        let settings = try Self.serviceSettings(unit)
        #expect(settings.last { $0.key == "LimitCORE" }?.value == "0", "\(unit) must set LimitCORE=0")
    }

    /// The configuration file `ExecStart=` runs with (`castor run --config FILE`).
    static func configFile(_ settings: [(key: String, value: String)]) throws -> String {
        let start = try #require(settings.last { $0.key == "ExecStart" }?.value)
        let words = start.split(separator: " ").map(String.init)
        let at = try #require(words.firstIndex(of: "--config"), "ExecStart= has no --config: \(start)")
        #expect(words.prefix(2) == ["/usr/local/bin/castor", "run"])
        return try #require(words.dropFirst(at + 1).first)
    }

    /// A bad file ends in exit 78 and no restart: castor run checks the file itself and
    /// exits 78, which `RestartPreventExitStatus=` names; an `ExecStartPre=` that failed would
    /// be restarted whatever its exit code (that setting covers the main process only).
    @Test(arguments: units) func aBadConfigurationIsNotRestarted(unit: String) throws {
        let settings = try Self.serviceSettings(unit)
        #expect(!settings.contains { $0.key == "ExecStartPre" }, "\(unit): an ExecStartPre= failure is restarted by Restart=on-failure")
        #expect(settings.last { $0.key == "Restart" }?.value == "on-failure")
        let prevented = settings.filter { $0.key == "RestartPreventExitStatus" }.flatMap { $0.value.split(separator: " ").map(String.init) }
        #expect(prevented.contains("78"), "\(unit): RestartPreventExitStatus= must include 78 (EX_CONFIG)")
        _ = try Self.configFile(settings)
    }

    /// Whatever else fails, systemd gives up after a few starts instead of retrying forever.
    @Test(arguments: units) func theStartLimitTrips(unit: String) throws {
        let unitSection = try Self.settings(unit, section: "Unit")
        let interval = try #require(unitSection.last { $0.key == "StartLimitIntervalSec" }?.value, "\(unit): no StartLimitIntervalSec= in [Unit]")
        let burst = try #require(unitSection.last { $0.key == "StartLimitBurst" }?.value.trimmingCharacters(in: .whitespaces),
                                 "\(unit): no StartLimitBurst= in [Unit]")
        let intervalSeconds = try #require(Self.seconds(interval))
        let burstCount = try #require(Int(burst))
        let restartSec = try #require(Self.seconds(try Self.serviceSettings(unit).last { $0.key == "RestartSec" }?.value ?? "0"))
        // The limit must be reachable by restarts RestartSec= apart: burst of them fit in the interval.
        #expect(burstCount >= 1 && burstCount * restartSec < intervalSeconds,
                "\(unit): \(burstCount) restarts \(restartSec) s apart never fill \(intervalSeconds) s, so the limit never trips")
        // In [Service] systemd ignores them (and warns): they belong to [Unit].
        #expect(!(try Self.serviceSettings(unit)).contains { $0.key.hasPrefix("StartLimit") })
    }

    /// `systemctl reload` fails on a bad file: the file is checked first (exit 78), and the
    /// reload itself is a later `ExecReload=` line, `castor reload`, which waits for the
    /// daemon's answer (so a refused file fails it too).
    @Test(arguments: units) func reloadChecksTheFileThenWaitsForTheDaemonsAnswer(unit: String) throws {
        let settings = try Self.serviceSettings(unit)
        let reloads = settings.filter { $0.key == "ExecReload" }.map(\.value)
        let file = try Self.configFile(settings)
        #expect(reloads == ["/usr/local/bin/castor check-config \(file)", "/usr/local/bin/castor reload --config \(file)"],
                "\(unit): ExecReload= lines are \(reloads)")
    }

    /// The hardening stays (`systemd-analyze security` scored these 1.1).
    @Test(arguments: units) func theHardeningStays(unit: String) throws {
        let settings = try Self.serviceSettings(unit)
        for (key, value) in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("DynamicUser", "yes"), ("PrivateUsers", "yes"),
                             ("MemoryDenyWriteExecute", "yes"), ("CapabilityBoundingSet", ""), ("Type", "notify"), ("KillMode", "mixed")] {
            #expect(settings.last { $0.key == key }?.value == value, "\(unit): \(key)=\(value) expected")
        }
    }

    @Test func timeSpanReader() {
        #expect(Self.seconds("330") == 330)
        #expect(Self.seconds("330s") == 330)
        #expect(Self.seconds("5min 30s") == 330)
        #expect(Self.seconds("infinity") == nil)
    }
}
