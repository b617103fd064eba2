import Testing
@testable import CastorConfig

/// `[metrics] listen`: off unless set, `host:port` or a clear error, a restart to change.
@Suite struct MetricsConfigTests {
    static func parse(_ text: String) throws -> CastorConfiguration {
        try CastorConfiguration.parse(text: text, fileName: "castor.toml", environment: ["HOME": "/home/op"])
    }

    @Test func offUnlessSetAndHostAndPortWhenSet() throws {
        #expect(CastorConfiguration(environment: [:]).metrics.listen == nil)
        let c = try Self.parse("[metrics]\nlisten = \"127.0.0.1:9464\"\n")
        #expect(c.metrics.address?.host == "127.0.0.1" && c.metrics.address?.port == 9464)
        #expect(try Self.parse("[metrics]\nlisten = \"[::1]:9464\"\n").metrics.address?.host == "::1")
    }

    @Test(arguments: ["9464", "127.0.0.1:", "127.0.0.1:70000", ":9464", "127.0.0.1:x"])
    func aListenThatIsNotHostAndPortNamesTheKey(_ listen: String) {
        do {
            _ = try CastorConfiguration.parse(text: "[metrics]\nlisten = \"\(listen)\"\n", fileName: "castor.toml",
                                              environment: ["HOME": "/home/op"])
            Issue.record("\(listen) was accepted")
        } catch {
            #expect(error.issues.contains { "\($0)".contains("metrics.listen") || "\($0)".contains("listen") }, "\(error.issues)")
        }
    }

    @Test func changingItNeedsARestart() throws {
        let old = CastorConfiguration(environment: [:])
        var new = old
        new.metrics.listen = "127.0.0.1:9464"
        let changes = ConfigurationChanges(from: old, to: new)
        #expect(changes.changes == [.metrics] && changes.requiresRestart)
    }
}

/// `[log] format`: explicit in the file wins; left out, `castor run` picks text on a
/// terminal and JSON elsewhere, and a reload of a file that still leaves it out is no change.
@Suite struct LogFormatConfigTests {
    @Test func anExplicitFormatIsMarkedAndAnImplicitOneIsNotAChangeOnReload() throws {
        let explicit = try CastorConfiguration.parse(text: "[log]\nformat = \"text\"\n", fileName: "c.toml", environment: [:])
        #expect(explicit.log.format == .text && explicit.log.formatIsExplicit)
        var running = CastorConfiguration(environment: [:])
        #expect(!running.log.formatIsExplicit)
        running.log.format = .text  // what `castor run` chose on a terminal
        let reloaded = CastorConfiguration(environment: [:])
        #expect(!ConfigurationChanges(from: running, to: reloaded).changes.contains(.logFormat))
        var json = reloaded
        json.log.formatIsExplicit = true
        #expect(ConfigurationChanges(from: running, to: json).changes.contains(.logFormat))
    }
}
