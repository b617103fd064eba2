import CastorDaemon
import Foundation
import Testing

/// Where the control commands look for the daemon's socket; issue 12: under the shipped
/// units the state directory comes from systemd, so `castor status --config
/// /etc/castor/castor.toml` in an operator's shell must find it from the file's name.
@Suite struct ControlSocketPathTests {
    @Test func runtimeDirectoryFirstThenTheStateDirectory() {
        #expect(ControlSocketPath.resolve(environment: ["RUNTIME_DIRECTORY": "/run/castor:/run/x"], stateDirectory: "/s")
            == "/run/castor/castor.sock")
        #expect(ControlSocketPath.resolve(environment: [:], stateDirectory: "/var/lib/castor//") == "/var/lib/castor/castor.sock")
    }

    @Test func theUnitsConfigurationFilesNameTheirStateDirectories() {
        #expect(ControlSocketPath.unitStateDirectory(forConfig: "/etc/castor/castor.toml") == "/var/lib/castor")
        #expect(ControlSocketPath.unitStateDirectory(forConfig: "/etc/castor/paper1.toml") == "/var/lib/castor-paper1")
        for other in ["/etc/castor/.toml", "/etc/castor/sub/a.toml", "/home/op/castor.toml", "/etc/castor/castor.toml.bak"] {
            #expect(ControlSocketPath.unitStateDirectory(forConfig: other) == nil, "\(other)")
        }
    }

    /// The mapping is the units' own: each unit's `--config` file maps to its `StateDirectory=`.
    @Test(arguments: [("castor.service", "NAME"), ("castor@.service", "paper1")])
    func theMappingAgreesWithTheUnitFiles(unit: String, instance: String) throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: repo.appendingPathComponent("systemd/\(unit)"), encoding: .utf8)
            .replacingOccurrences(of: "%i", with: instance)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let state = try #require(lines.first { $0.hasPrefix("StateDirectory=") }?.dropFirst("StateDirectory=".count))
        let start = try #require(lines.first { $0.hasPrefix("ExecStart=") })
        let config = try #require(start.range(of: "--config ").map { String(start[$0.upperBound...].prefix { $0 != " " }) })
        #expect(ControlSocketPath.unitStateDirectory(forConfig: config) == "/var/lib/\(state)", "\(unit): \(config)")
    }
}
