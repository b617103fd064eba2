import CastorTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `[metrics] listen`: `castor run` serves Prometheus text on `/metrics` and its health on
/// `/healthz` (200 while trading, 503 with the reason once the kill switch is engaged).
@Suite("castor run metrics end to end", .serialized, .timeLimit(.minutes(3)), .tags(.slow),
       .enabled(if: CastorProcess.binary != nil, "build the castor product first"))
struct MetricsEndToEndTests {
    static func get(_ url: String) async throws -> (Int, String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func metricsAndHealthAreServedWhileTrading() async throws {
        let notify = try NotifySocket()
        let state = try CastorProcess.temporaryDirectory("metrics")
        try "[metrics]\nlisten = \"127.0.0.1:0\"\n".write(toFile: state + "/castor.toml", atomically: true, encoding: .utf8)
        let castor = try CastorProcess(arguments: ["run", "--config", state + "/castor.toml"],
                                       environment: ["NOTIFY_SOCKET": notify.path, "STATE_DIRECTORY": state])
        try #require(await notify.waitFor("READY=1", timeout: 120, sender: castor) != nil,
                     "no READY=1:\n\(castor.allLines.suffix(30).joined(separator: "\n"))")
        let listening = try #require(await castor.waitForJSON(timeout: 30) { $0["event"] as? String == "metrics.listening" })
        let port = try #require((listening.object["port"] as? String).flatMap(Int.init))
        let base = "http://127.0.0.1:\(port)"
        // The market maker quotes on the embedded simulator within seconds.
        #expect(await castor.waitForJSON(timeout: 60) { $0["event"] as? String == "orders.queued" } != nil)
        let (code, text) = try await Self.get(base + "/metrics")
        #expect(code == 200)
        for family in ["castor_orders_total{", #"castor_feed_connected{feed="market_data"} 1"#, "castor_open_orders",
                       "castor_build_info{", "castor_kill_switch_engaged 0", "castor_rest_requests_total{"] {
            #expect(text.contains(family), "missing \(family)")
        }
        let (healthy, body) = try await Self.get(base + "/healthz")
        #expect(healthy == 200 && body.contains(#""ok":true"#), "\(healthy) \(body)")

        let on = try CastorProcess(arguments: ["kill-switch", "on"], environment: ["STATE_DIRECTORY": state])
        #expect(await on.waitForExit(timeout: 30) == 0)
        let (sick, why) = try await Self.get(base + "/healthz")
        #expect(sick == 503 && why.contains("kill switch"), "\(sick) \(why)")

        castor.signal(SIGTERM)
        #expect(await castor.waitForExit(timeout: 60) == 0)
    }
}
