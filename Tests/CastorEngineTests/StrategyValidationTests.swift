import CastorConfig
import CastorEngine
import CastorTestSupport
import Foundation
import Testing

@Suite struct StrategyValidationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `examples/castor.toml` passes `check-config` including its `[strategy.params]`,
    /// which are the market maker's real parameter names.
    @Test func exampleFilePassesIncludingStrategyParameters() async throws {
        let path = Self.root.appendingPathComponent("examples/castor.toml").path
        let config = try CastorConfiguration.load(path: path, environment: [:])
        #expect(StrategyValidation.problem(in: config) == nil)
        for key in ["symbol", "spread_bps", "size", "requote_bps", "skew_bps_per_unit", "max_position"] {
            #expect(config.strategy.parameters[key] != nil, "examples/castor.toml sets \(key)")
        }
        // And through the command itself, when the binary is built.
        if let binary = CastorExecutable.path {
            let outcome = try await runToExit(binary, ["check-config", path], seconds: 60)
            #expect(outcome.status == 0, "castor check-config: \(outcome.output)")
        }
    }

    /// A bad parameter is reported with the line of its `[strategy.params]` key.
    @Test func badParameterIsLocatedOnItsLine() throws {
        let text = """
            [engine]
            symbols = ["BTCUSD"]
            [strategy]
            name = "market-maker"
            [strategy.params]
            spread_bps = 2
            sise = "0.001"
            """
        let config = try CastorConfiguration.parse(text: text, fileName: "x.toml", environment: [:])
        let problem = try #require(StrategyValidation.problem(in: config))
        #expect(problem.keyPath == "strategy.params.sise")
        #expect(problem.message.contains("not a parameter"))
        #expect(CastorConfiguration.line(of: try #require(problem.keyPath), in: text) == 7)

        // A missing plug-in library is caught; its code is never loaded.
        var plugin = config
        plugin.strategy.selection = .plugin(path: "/nonexistent/libx.so", name: "x")
        #expect(StrategyValidation.problem(in: plugin)?.keyPath == "strategy.plugin.path")
    }
}

@Suite struct SecondsNoncePacingTests {
    /// Whole-second nonces: private requests are paced to one a second whatever
    /// `[rate_limits]` says, so the nonces cannot run ahead of the clock.
    @Test func wholeSecondNoncesPacePrivateRequestsToOneASecond() {
        var r = CastorConfiguration(environment: [:]).rateLimits
        r.privatePerSecond = 5
        r.privateBurst = 10
        let paced = Engine.privateBucket(r, nonceFormat: .seconds)
        #expect(paced.intervalMs == 1_000 && paced.capacity == 1)
        let normal = Engine.privateBucket(r, nonceFormat: .secondsWithMillis)
        #expect(normal.intervalMs == 200 && normal.capacity == 10)
    }
}
