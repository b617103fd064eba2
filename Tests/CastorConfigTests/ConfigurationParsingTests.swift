import CastorCore
import Foundation
import Testing
@testable import CastorConfig

private let env = ["HOME": "/home/op"]

private func issues(_ text: String) -> [ConfigurationIssue] {
    do {
        _ = try CastorConfiguration.parse(text: text, fileName: "castor.toml", environment: env)
        return []
    } catch {
        return error.issues
    }
}

@Suite struct ConfigurationParsingTests {
    @Test func defaultsWithoutAFile() {
        let config = CastorConfiguration(environment: env)
        #expect(config.venue == .simulator)
        #expect(config.strategy.selection == .builtIn(.marketMaker))
        #expect(config.engine.symbols == ["BTCUSD"])
        #expect(config.engine.stateDirectory == "/home/op/.local/state/castor")
        #expect(config.engine.cancelOnShutdown)
        #expect(config.rateLimits.privatePerSecond == 5 && config.rateLimits.publicPerSecond == 1)
        #expect(config.feeds.heartbeatTimeout == .seconds(15))
        #expect(config.account.nonceFormat == .secondsWithMillis)
        #expect(CastorConfiguration(environment: ["STATE_DIRECTORY": "/var/lib/castor:/var/lib/other"]).engine.stateDirectory == "/var/lib/castor")
    }

    @Test func emptyFileIsTheDefault() throws {
        #expect(try CastorConfiguration.parse(text: "", fileName: "x.toml", environment: env) == CastorConfiguration(environment: env))
    }

    @Test func exampleFileParsesCleanly() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/castor.toml").path
        let config = try CastorConfiguration.load(path: path, environment: env)
        #expect(config.venue == .simulator)
        #expect(try config.strategy.parameters.decimal("size") == ExactDecimal("0.001"))
        #expect(config.risk.limits(for: "BTCUSD").maxPosition == ExactDecimal("0.01"))
        #expect(config.rateLimits.maintenancePause == .seconds(60))
        #expect(config.feeds.stableAfter == .seconds(60))
    }

    @Test func maintenancePauseAndStableAfterAreConfigurable() throws {
        let defaults = CastorConfiguration(environment: env)
        #expect(defaults.rateLimits.maintenancePause == .seconds(60))
        #expect(defaults.feeds.stableAfter == .seconds(60))
        let config = try CastorConfiguration.parse(text: """
            [rate_limits]
            maintenance_pause = "2m"
            [feeds]
            stable_after = "15s"
            """, fileName: "c.toml", environment: env)
        #expect(config.rateLimits.maintenancePause == .seconds(120))
        #expect(config.feeds.stableAfter == .seconds(15))
        #expect(throws: ConfigurationError.self) {
            try CastorConfiguration.parse(text: "[feeds]\nstable_after = \"0s\"\n", fileName: "c.toml", environment: env)
        }
    }

    @Test func fullConfiguration() throws {
        let config = try CastorConfiguration.parse(text: """
            [venue]
            name = "sandbox"
            [account]
            nonce_format = "milliseconds"
            require_heartbeat = true
            [engine]
            symbols = ["btcusd", "ETHUSD"]
            state_directory = "/srv/castor"
            shutdown_timeout = "45s"
            [log]
            level = "debug"
            format = "text"
            [strategy]
            plugin = { path = "/opt/lib/libx.so", name = "x" }
            on_switch = "hand-over"
            [strategy.params]
            levels = 3
            step = "0.25"
            [risk]
            max_order_notional = "250.50"
            max_position = 2
            [risk.symbols.ETHUSD]
            max_position = "5"
            kill_switch = true
            [rate_limits]
            private_per_second = 2.5
            [feeds]
            reconnect_backoff_base = "500ms"
            reconnect_backoff_cap = "2m"
            """, fileName: "castor.toml", environment: env)
        #expect(config.venue == .sandbox && config.venue.restURL == "https://api.sandbox.gemini.com")
        #expect(config.account.nonceFormat == .milliseconds && config.account.requireHeartbeat)
        #expect(config.engine.symbols == ["BTCUSD", "ETHUSD"])
        #expect(config.engine.stateDirectory == "/srv/castor" && config.engine.shutdownTimeout == .seconds(45))
        #expect(config.log.level == .debug && config.log.format == .text)
        #expect(config.strategy.selection == .plugin(path: "/opt/lib/libx.so", name: "x"))
        #expect(config.strategy.onSwitch == .handOver)
        #expect(config.risk.defaults.maxOrderNotional == ExactDecimal("250.50"))
        #expect(config.risk.limits(for: "BTCUSD").maxPosition == ExactDecimal(2))
        let eth = config.risk.limits(for: "ethusd")
        #expect(eth.maxPosition == ExactDecimal(5) && eth.killSwitch && eth.maxOrderNotional == ExactDecimal("250.50"))
        #expect(config.rateLimits.privatePerSecond == 2.5)
        #expect(config.feeds.reconnectBackoffBase == .milliseconds(500) && config.feeds.reconnectBackoffCap == .seconds(120))
    }

    @Test func floatForMoneyNamesFileLineAndKey() {
        let found = issues("""
            [engine]
            symbols = ["BTCUSD"]

            [risk]
            max_order_notional = "100"
            max_position = 0.5
            """)
        #expect(found.map(\.description) == [
            #"castor.toml:6: risk.max_position: expected a decimal string like "0.5", found a float (write money values in quotes so no digit is lost)"#,
        ])
    }

    @Test func allErrorsAreCollectedInLineOrder() {
        let found = issues("""
            [venue]
            name = "prod"
            [engine]
            symbols = []
            shutdown_timeout = "forever"
            [log]
            levle = "info"
            [strategy]
            name = "market-taker"
            [risk]
            max_open_orders = 0
            [risk.symbols.DOGEUSD]
            max_position = "1"
            [rate_limits]
            private_per_second = 50
            [feeds]
            reconnect_backoff_base = "30s"
            reconnect_backoff_cap = "10s"
            """)
        #expect(found.map(\.line) == [2, 4, 5, 7, 9, 11, 12, 15, 18])
        #expect(found.map(\.keyPath) == ["venue.name", "engine.symbols", "engine.shutdown_timeout", "log.levle", "strategy.name",
                                         "risk.max_open_orders", "risk.symbols.DOGEUSD", "rate_limits.private_per_second",
                                         "feeds.reconnect_backoff_cap"])
        #expect(found[0].description.contains(#"did you mean "production"?"#))
        #expect(found[3].description.contains(#"did you mean "level"?"#))
        #expect(found[4].description.contains(#""market-taker" is not one of "market-maker", "grid", "twap", "observe""#))
    }

    @Test func secretsAnywhereAreRefused() {
        let found = issues("""
            [account]
            api_key = "account-abc"
            [strategy.params]
            webhook_token = "x"
            [venue]
            api_secret = "s3cr3t"
            """)
        #expect(found.map(\.keyPath) == ["account.api_key", "strategy.params.webhook_token", "venue.api_secret"])
        #expect(found.allSatisfy { $0.problem == .secretInFile })
        #expect(found[0].description.contains("CASTOR_API_KEY/CASTOR_API_SECRET or systemd credentials"))
        #expect(!found.map(\.description).joined().contains("s3cr3t"))
    }

    @Test func venueURLs() {
        #expect(issues(#"venue = { rest_url = "http://127.0.0.1:8080", websocket_url = "ws://localhost:8081" }"#).isEmpty)
        let found = issues("""
            [venue]
            rest_url = "http://api.example.com"
            websocket_url = "ftp://x"
            """)
        #expect(found.map(\.keyPath) == ["venue.rest_url", "venue.websocket_url"])
        #expect(found[0].description.contains("non-loopback"))
        #expect(issues(#"venue = { rest_url = "https://a.example" }"#).map(\.keyPath) == ["venue.websocket_url"])
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        let found = issues("[engine]\nsymbols = [\"BTCUSD\"\n")
        #expect(found.count == 1)
        #expect(found[0].line != nil)
        guard case .syntax = found[0].problem else { Issue.record("not a syntax error: \(found)"); return }
    }

    @Test func wrongTypesAndPluginConflicts() {
        let found = issues("""
            [engine]
            cancel_on_shutdown = "yes"
            [strategy]
            name = "grid"
            plugin = { path = "relative.so", name = "x" }
            [strategy.params]
            ratio = 0.3
            """)
        #expect(found.map(\.keyPath) == ["engine.cancel_on_shutdown", "strategy.name", "strategy.plugin.path", "strategy.params.ratio"])
        #expect(found.map(\.line) == [2, 4, 5, 7])
        #expect(found[3].problem == .floatForDecimal)
    }

    @Test func unreadableFile() {
        #expect(throws: ConfigurationError.self) { try CastorConfiguration.load(path: "/nonexistent/castor.toml") }
    }
}
