import CastorTestSupport
import Foundation
import Testing

/// The example plug-in (examples/strategy-plugin) trading through Castor's real engine:
/// built as its README says, named in a configuration as its README says, and run by the
/// built `castor backtest`, which loads it with `PluginLoader` exactly as `castor run` does.
/// This is what the loader test cannot show: that the symbol the engine passes matches the
/// one the strategy was configured with, so it places orders at all: the README's
/// "BTCUSD", and "btcusd", which the engine's upper-case "BTCUSD" once never matched.
@Suite(.tags(.slow), .timeLimit(.minutes(20)), .enabled(if: CastorExecutable.path != nil, "build the castor product first"))
struct ExamplePluginBacktestTests {
    @Test(arguments: ["BTCUSD", "btcusd"])
    func theExamplePluginPlacesAnOrderAndIsFilledInABacktest(symbol: String) async throws {
        let castor = try #require(CastorExecutable.path)
        let library = try await PluginPackageBuild.examplePlugin()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("castor-example-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        // The README's configuration (with `symbol`). offset_bps = 50: 100.00 × 0.995 = 99.50, a price with no
        // displayed quantity ahead of it in the hand-made book, so the first trade there fills.
        let config = dir.appendingPathComponent("castor.toml")
        try """
            [engine]
            symbols = ["BTCUSD"]

            [strategy]
            plugin = { path = "\(library)", name = "example-pinger" }

            [strategy.params]
            symbol = "\(symbol)"
            offset_bps = 50
            """.write(to: config, atomically: true, encoding: .utf8)
        // The bid rests at 99.50 from 50 ms (the default latency); a sell prints there at 200 ms
        // and fills it; the next book update lets the strategy place its next order.
        let recording = dir.appendingPathComponent("btcusd.txt")
        try [
            HandMade.at(0, HandMade.snapshot),
            HandMade.at(200, HandMade.trade(1, "99.50", "0.1")),
            HandMade.at(300, HandMade.l2("buy", "99.00", "2")),
            HandMade.at(400, HandMade.l2("sell", "102.00", "4")),
        ].joined(separator: "\n").appending("\n").write(to: recording, atomically: true, encoding: .utf8)

        let run = try await runToExit(castor, ["backtest", recording.path, "--config", config.path, "--format", "json",
                                               "--no-timing", "--log-level", "info"], seconds: 120)
        #expect(run.status == 0, "castor backtest: exit \(run.status)\n\(run.output)")
        // The strategy's own log line (engine log on stderr) proves the plug-in placed it.
        #expect(run.output.contains("example-pinger placed"), "\(run.output)")
        #expect(run.output.contains("example-pinger filled"), "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") }, "no JSON report in\n\(run.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(report["strategy"] as? String == "example-pinger")
        let orders = try #require(report["orders"] as? Int)
        let fills = try #require(report["fills"] as? Int)
        #expect(orders >= 2, "one order filled and its replacement placed: \(line)")
        #expect(fills == 1, "\(line)")
        let btc = try #require((report["symbols"] as? [String: Any])?["BTCUSD"] as? [String: Any], "\(line)")
        // One fill of the minimum order size (0.00001) at 99.50.
        #expect(btc["position"] as? String == "0.00001", "\(line)")
    }
}
