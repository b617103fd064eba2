import CastorTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Paper trading (`[venue] name = "paper"`) end to end: `castor run` reads live public
/// market data from a `castor sim` (`market_data_url`), quotes with the market maker,
/// is filled by the local fill model as the simulator's market moves through its quotes,
/// and stops cleanly. No key is given, no order reaches the simulator.
@Suite("paper trading end to end", .serialized, .timeLimit(.minutes(3)), .tags(.slow),
       .enabled(if: CastorProcess.binary != nil, "build the castor product first"))
struct PaperTradingEndToEndTests {
    static func configuration(marketData: String, api: String, state: String) -> String {
        """
        [venue]
        name = "paper"
        api = "\(api)"
        market_data_url = "\(marketData)"

        [engine]
        symbols = ["BTCUSD"]
        state_directory = "\(state)"

        [strategy]
        name = "market-maker"

        [strategy.params]
        symbol = "BTCUSD"
        spread_bps = 2
        size = "0.001"
        requote_bps = 1
        """
    }

    static func run(_ sim: ExternalSimulator, api: String, marketData: String) async throws {
        let notify = try NotifySocket()
        let state = try CastorProcess.temporaryDirectory("paper-\(api)")
        try Self.configuration(marketData: marketData, api: api, state: state)
            .write(toFile: state + "/castor.toml", atomically: true, encoding: .utf8)
        let castor = try CastorProcess(arguments: ["run", "--config", state + "/castor.toml"],
                                       environment: ["NOTIFY_SOCKET": notify.path, "STATE_DIRECTORY": state])
        try #require(await notify.waitFor("READY=1", timeout: 60, sender: castor) != nil,
                     "no READY=1:\n\(castor.allLines.suffix(30).joined(separator: "\n"))")
        let fill = await castor.waitForJSON(timeout: 90) { $0["event"] as? String == "orders.filled" }
        #expect(fill != nil, "no paper fill:\n\(castor.allLines.suffix(30).joined(separator: "\n"))")
        castor.signal(SIGTERM)
        #expect(await castor.waitForExit(timeout: 60) == 0, "\(castor.allLines.suffix(20).joined(separator: "\n"))")
        let summary = castor.allLines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            .first { $0["event"] as? String == "engine.session_summary" }
        #expect(summary != nil, "no session summary")
        // Paper orders never reach the exchange whose prices they follow.
        let orders = try await sim.ledger()["orders"] as? [[String: Any]] ?? []
        #expect(orders.isEmpty, "paper orders reached the simulator: \(orders.count)")
        #expect(FileManager.default.fileExists(atPath: state + "/castor.paper.default.sqlite"))
    }

    @Test func paperTradesOnTheNewWebSocketAPI() async throws {
        let sim = try await ExternalSimulator()
        try await Self.run(sim, api: "websocket", marketData: sim.webSocketAPIURL)
    }

    @Test func paperTradesOnTheLegacyFeed() async throws {
        let sim = try await ExternalSimulator()
        try await Self.run(sim, api: "legacy", marketData: sim.webSocketURL + "/v2/marketdata")
    }
}
