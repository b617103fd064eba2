import CastorCore
import Foundation
import Testing
@testable import CastorConfig

/// Issue 10, defect 8: no configuration value may trap `check-config` or a SIGHUP reload;
/// each is refused with `file:line: key: reason`, and the file read is bounded.
@Suite struct ConfigurationBoundsTests {
    private func issues(_ text: String) -> [String] {
        do {
            _ = try CastorConfiguration.parse(text: text, fileName: "castor.toml", environment: ["HOME": "/h"])
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    /// The fuzzer's finding (Fuzz/crashes/config): a form feed in a table header made
    /// toml++ abort on an assertion in debug builds. Control characters are refused first.
    @Test func controlCharactersAreRefusedWithTheirLineBeforeTheTOMLParserSeesThem() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/crashes/config/tomlpp-assert-formfeed-in-table-header")
        let finding = try String(contentsOf: url, encoding: .utf8)
        #expect(issues(finding) == ["castor.toml:1: TOML syntax error at column 2: control character U+000C is not allowed in TOML"])
        #expect(issues("[engine]\nsymbols = [\"BTCUSD\"] # a\u{7F}\n") .first?.hasPrefix("castor.toml:2:") == true)
        #expect(issues("[engine]\r\nsymbols = [\"BTCUSD\"]\r\n").isEmpty)
        #expect(issues("[engine]\rsymbols = [\"BTCUSD\"]\n").count == 1)
    }

    /// Before: formatting the range error computed `seconds * 1_000_000_000` in Int64 and trapped.
    @Test func hugeIntegerDurationIsRefusedNotTrapped() {
        #expect(issues("[engine]\nshutdown_timeout = 10000000000\n")
            == ["castor.toml:2: engine.shutdown_timeout: 10000000000s is out of range: expected 1s to 5m"])
        #expect(issues("[engine]\nshutdown_timeout = 9223372036854775807\n")
            == ["castor.toml:2: engine.shutdown_timeout: 9223372036854775807s is out of range: expected 1s to 5m"])
        #expect(issues("[feeds]\nheartbeat_timeout = \"99999999999999999999h\"\n")
            == [#"castor.toml:2: feeds.heartbeat_timeout: "99999999999999999999h" is out of range: expected 2s to 2m"#])
    }

    @Test func durationsJustOutsideTheirRangeStillReadWell() {
        #expect(issues("[engine]\nshutdown_timeout = \"301s\"\n")
            == ["castor.toml:2: engine.shutdown_timeout: 301s is out of range: expected 1s to 5m"])
        #expect(issues("[feeds]\nreconnect_backoff_base = \"50ms\"\n")
            == ["castor.toml:2: feeds.reconnect_backoff_base: 50ms is out of range: expected 100ms to 1m"])
    }

    @Test func durationFormatNeverOverflows() {
        #expect(DurationText.format(.seconds(Int64.max)) == "\(Int64.max)s")
        #expect(DurationText.format(.seconds(Int64.max / 60 * 60)) == "\(Int64.max / 60)m")
        #expect(DurationText.format(.milliseconds(1500)) == "1500ms")
        #expect(DurationText.format(.seconds(Int64.max) + .milliseconds(1)).hasSuffix("s"))
        #expect(DurationText.parseChecked(.integer(Int.max)) == .tooLong)
        #expect(DurationText.parseChecked("1e38h") == .malformed)
    }

    @Test func hugeMoneyValuesAreRefused() {
        #expect(issues("[risk]\nmax_position = \"1e30\"\n")
            == ["castor.toml:2: risk.max_position: 1000000000000000000000000000000 is out of range: at most 15 digits before the point and 18 after it"])
        #expect(issues("[risk]\nmax_order_notional = \"0.0000000000000000001\"\n").count == 1)
        // Trailing zeros beyond 18 places are fine: the value is exact.
        #expect(issues("[risk]\nmax_order_notional = \"100.0000000000000000000000\"\n") == [])
    }

    @Test func strategyParameterDurationsAreBounded() {
        let p = StrategyParameterTable(values: ["duration": .string("99999999999999999999h"), "n": .integer(Int.max)],
                                   locations: ["duration": "castor.toml:7", "n": "castor.toml:8"])
        #expect(throws: StrategyParameterError.invalid(location: "castor.toml:7: strategy.params.duration",
                                                       reason: "too long: at most 1000000000 seconds (about 31 years)")) {
            try p.duration("duration")
        }
        #expect(throws: StrategyParameterError.self) { try p.duration("n") }
    }

    // MARK: reading the file

    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "castor-bounds-\(UUID().uuidString).toml"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Before: `Data(contentsOf:)` read `/dev/zero` without end.
    @Test func nonRegularFilesAreRefused() {
        for (path, kind) in [("/dev/zero", "a character device"), ("/tmp", "a directory")] {
            #expect(throws: ConfigurationError.self) { try CastorConfiguration.load(path: path) }
            do {
                _ = try CastorConfiguration.load(path: path)
            } catch {
                #expect(error.description == "\(path): cannot read configuration: \(kind), not a regular file: give the path of a TOML file")
            }
        }
    }

    @Test func filesOverOneMebibyteAreRefused() throws {
        let big = try temporaryFile([UInt8](repeating: UInt8(ascii: "#"), count: CastorConfiguration.maximumFileSize + 1))
        defer { try? FileManager.default.removeItem(atPath: big) }
        do {
            _ = try CastorConfiguration.load(path: big)
            Issue.record("a file over 1 MiB was accepted")
        } catch {
            #expect(error.description == "\(big): cannot read configuration: larger than 1024 KiB; is this the right file?")
        }
        let fits = try temporaryFile(Array("[engine]\nshutdown_timeout = \"30s\"\n".utf8)
            + [UInt8](repeating: UInt8(ascii: " "), count: CastorConfiguration.maximumFileSize - 40))
        defer { try? FileManager.default.removeItem(atPath: fits) }
        #expect(try CastorConfiguration.load(path: fits, environment: [:]).engine.shutdownTimeout == .seconds(30))
    }

    @Test func missingAndNonUTF8FilesKeepTheirMessages() throws {
        do { _ = try CastorConfiguration.load(path: "/nonexistent/castor.toml") } catch {
            #expect(error.description == "/nonexistent/castor.toml: cannot read configuration: no such file")
        }
        let bad = try temporaryFile([0xFF, 0xFE, 0x00])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        do { _ = try CastorConfiguration.load(path: bad) } catch {
            #expect(error.description == "\(bad): cannot read configuration: not UTF-8 text")
        }
    }
}
