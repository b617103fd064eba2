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
        let text = try String(contentsOf: repoRoot.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
        var section = "", settings: [(key: String, value: String)] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") { section = String(line.dropFirst().dropLast()); continue }
            guard section == "Service", let equals = line.firstIndex(of: "=") else { continue }
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

    @Test func timeSpanReader() {
        #expect(Self.seconds("330") == 330)
        #expect(Self.seconds("330s") == 330)
        #expect(Self.seconds("5min 30s") == 330)
        #expect(Self.seconds("infinity") == nil)
    }
}
