@testable import CastorConfig
import Foundation
import Testing

/// `castor show-config`'s TOML reads back to the configuration it was written from, every
/// section and value included, and never shows an alert webhook's path.
@Suite struct ConfigurationTOMLWriterTests {
    private static let environment = ["HOME": "/home/op"]

    private func parse(_ text: String) throws(ConfigurationError) -> CastorConfiguration {
        try CastorConfiguration.parse(text: text, fileName: "castor.toml", environment: Self.environment)
    }

    private func roundTrips(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        var original = try parse(text)
        let written = ConfigurationTOMLWriter.toml(original)
        let back: CastorConfiguration
        do { back = try parse(written) } catch {
            Issue.record("the written TOML does not parse: \(error)\n\(written)", sourceLocation: sourceLocation)
            return
        }
        // The webhook is written as a comment (its path may be a token): compare the rest.
        original.alerts = back.alerts
        #expect(back == original, "\(written)", sourceLocation: sourceLocation)
    }

    @Test func theDefaultsRoundTrip() throws {
        try roundTrips("")
    }

    @Test func theExampleRoundTrips() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/castor.toml")
        try roundTrips(try String(contentsOf: example, encoding: .utf8))
    }

    @Test func everyKindOfSettingRoundTrips() throws {
        try roundTrips(#"""
            [venue]
            rest_url = "https://api.example.com"
            websocket_url = "wss://md.example.com"
            ws_api_url = "wss://ws.example.com"
            order_entry = "websocket"
            cancel_on_disconnect = false
            [account]
            nonce_format = "milliseconds"
            require_heartbeat = true
            allow_fund_manager = true
            account = "desk-2"
            [engine]
            symbols = ["BTCUSD", "ETHBTC", "BTCGUSDPERP"]
            state_directory = "/var/lib/castor-x"
            cancel_on_shutdown = false
            shutdown_timeout = "1.5s"
            [log]
            level = "debug"
            format = "text"
            [strategy]
            plugin = { path = "/opt/castor/plugins/lib\"odd\".so", name = "my-strategy" }
            on_switch = "hand-over"
            [strategy.params]
            "odd key" = "line\nbreak\ttab \\ back"
            levels = [1, 2, 3]
            nested = { a = true, b = "x" }
            [risk]
            max_order_notional = "250.5"
            max_position = "0.125"
            max_open_orders = 3
            price_band_bps = 50
            max_orders_per_minute = 12
            kill_switch = true
            [risk.symbols.ethbtc]
            max_order_notional = "0.002"
            [rate_limits]
            private_per_second = 2.5
            private_burst = 3
            public_per_second = 0.5
            public_burst = 1
            maintenance_pause = "90s"
            [feeds]
            heartbeat_timeout = "2m"
            stale_market_after = "45s"
            reconnect_backoff_base = "500ms"
            reconnect_backoff_cap = "5m"
            stable_after = "90s"
            [metrics]
            listen = "[::1]:9464"
            [alerts]
            webhook_url = "https://hooks.example.com/services/T0/B0/SECRETTOKEN"
            """#)
    }

    @Test func paperTradingRoundTrips() throws {
        try roundTrips("[venue]\nname = \"paper\"\nmarket_data_url = \"wss://ws.sandbox.gemini.com\"\n")
        try roundTrips("[venue]\nname = \"production\"\napi = \"legacy\"\n")
    }

    @Test func aWebhooksPathNeverAppears() throws {
        let config = try parse("[alerts]\nwebhook_url = \"https://user:pw@hooks.example.com:8443/services/SECRETTOKEN?k=SECRETQUERY\"\n")
        let written = ConfigurationTOMLWriter.toml(config)
        #expect(!written.contains("SECRETTOKEN") && !written.contains("SECRETQUERY") && !written.contains("pw@"), "\(written)")
        #expect(written.contains("https://hooks.example.com:8443/…"), "\(written)")
    }

    @Test func defaultsTheFileLeavesOutAreListedButWhatItSetsWins() throws {
        let config = try parse("[strategy.params]\nspread_bps = 8\n")
        let written = ConfigurationTOMLWriter.toml(config, defaultParameters: [
            .init(name: "spread_bps", value: "2", note: "width"),
            .init(name: "size", value: "\"0.001\"", note: "each quote"),
            .init(name: "max_position", value: nil, note: "only the risk limits"),
        ])
        #expect(written.contains("spread_bps = 8\n") && !written.contains("spread_bps = 2"), "\(written)")
        #expect(written.contains("size = \"0.001\"  # default: each quote\n"), "\(written)")
        #expect(written.contains("# max_position: not set: only the risk limits\n"), "\(written)")
        let back = try parse(written)
        #expect(back.strategy.parameters.keys == ["size", "spread_bps"])
    }

    @Test func durationsAreWrittenInTheLargestExactUnit() {
        #expect(ConfigurationTOMLWriter.duration(.seconds(20)) == "\"20s\"")
        #expect(ConfigurationTOMLWriter.duration(.seconds(120)) == "\"2m\"")
        #expect(ConfigurationTOMLWriter.duration(.seconds(7200)) == "\"2h\"")
        #expect(ConfigurationTOMLWriter.duration(.milliseconds(1500)) == "\"1500ms\"")
        #expect(ConfigurationTOMLWriter.duration(.zero) == "\"0s\"")
    }
}
