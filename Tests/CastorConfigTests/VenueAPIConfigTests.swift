import Testing
@testable import CastorConfig

/// `[venue] api`, `order_entry`, `ws_api_url`, `cancel_on_disconnect`.
@Suite struct VenueAPIConfigTests {
    static func parse(_ text: String) throws(ConfigurationError) -> CastorConfiguration {
        try CastorConfiguration.parse(text: text, fileName: "castor.toml", environment: ["HOME": "/home/op"])
    }

    static func problems(_ text: String) -> [String] {
        do {
            _ = try parse(text)
            return []
        } catch {
            return error.issues.map { "\($0.keyPath): \($0)" }
        }
    }

    @Test func theNewAPIWithRESTOrdersAndTheDeadMansSwitchByDefault() throws {
        let defaults = CastorConfiguration(environment: [:]).venueAPI
        #expect(defaults.api == .websocket && defaults.orderEntry == .rest && defaults.cancelOnDisconnect)
        let production = try Self.parse("[venue]\nname = \"production\"\n")
        #expect(production.venueAPI.api == .websocket)
        #expect(VenueAPIConfiguration.builtInURL(for: production.venue) == "wss://ws.gemini.com")
        #expect(VenueAPIConfiguration.builtInURL(for: .sandbox) == "wss://ws.sandbox.gemini.com")
    }

    @Test func eachSettingIsRead() throws {
        let c = try Self.parse("""
            [venue]
            name = "sandbox"
            api = "websocket"
            order_entry = "websocket"
            cancel_on_disconnect = false
            """)
        #expect(c.venueAPI.orderEntry == .websocket && !c.venueAPI.cancelOnDisconnect)
        #expect(try Self.parse("[venue]\napi = \"legacy\"\n").venueAPI.api == .legacy)
    }

    @Test func aCustomVenueNamesItsWebSocketAPIOrSpeaksTheLegacyOne() throws {
        let legacy = try Self.parse(#"venue = { rest_url = "http://127.0.0.1:8080", websocket_url = "ws://127.0.0.1:8080" }"#)
        #expect(legacy.venueAPI.api == .legacy && legacy.venueAPI.webSocketAPIURL == nil)
        let new = try Self.parse(#"venue = { rest_url = "http://127.0.0.1:8080", websocket_url = "ws://127.0.0.1:8080", ws_api_url = "ws://127.0.0.1:8090" }"#)
        #expect(new.venueAPI.api == .websocket && new.venueAPI.webSocketAPIURL == "ws://127.0.0.1:8090")
    }

    @Test func badSettingsNameTheKeyAndTheFix() {
        #expect(Self.problems("[venue]\napi = \"fast\"\n").first?.hasPrefix("venue.api:") == true)
        #expect(Self.problems("[venue]\norder_entry = \"fix\"\n").first?.hasPrefix("venue.order_entry:") == true)
        let legacyOrders = Self.problems("[venue]\napi = \"legacy\"\norder_entry = \"websocket\"\n")
        #expect(legacyOrders.count == 1 && legacyOrders[0].hasPrefix("venue.order_entry:"))
        #expect(Self.problems("[venue]\nname = \"production\"\nws_api_url = \"wss://x.example\"\n").first?.contains("built in") == true)
        let plain = Self.problems(#"venue = { rest_url = "http://127.0.0.1:8080", websocket_url = "ws://127.0.0.1:8080", ws_api_url = "ws://example.com" }"#)
        #expect(plain.first?.hasPrefix("venue.ws_api_url:") == true && plain.first?.contains("loopback") == true)
        let missing = Self.problems(#"venue = { rest_url = "http://127.0.0.1:8080", websocket_url = "ws://127.0.0.1:8080", api = "websocket" }"#)
        #expect(missing.first?.hasPrefix("venue.ws_api_url:") == true && missing.first?.contains("legacy") == true)
        #expect(Self.problems("[venue]\ncancel_on_disconnect = \"yes\"\n").first?.hasPrefix("venue.cancel_on_disconnect:") == true)
    }

    @Test func changingTheAPIReplacesTheEngine() throws {
        let old = try Self.parse("[venue]\nname = \"sandbox\"\n")
        let new = try Self.parse("[venue]\nname = \"sandbox\"\napi = \"legacy\"\n")
        #expect(ConfigurationChanges(from: old, to: new).requiresNewEngine)
        #expect(!ConfigurationChanges(from: old, to: old).requiresNewEngine)
    }
}
