@testable import CastorConfig
import Testing

/// `VenueConfiguration.identity`: the name per-venue state (the journal) is kept under.
struct VenueIdentityTests {
    @Test func namedVenues() {
        #expect(VenueConfiguration.simulator.identity == "sim")
        #expect(VenueConfiguration.sandbox.identity == "sandbox")
        #expect(VenueConfiguration.production.identity == "production")
    }

    @Test func customVenuesAreNamedByRESTHostAndPort() {
        func id(_ rest: String, _ ws: String = "ws://unused") -> String { VenueConfiguration.custom(restURL: rest, websocketURL: ws).identity }
        #expect(id("http://127.0.0.1:8443") == "custom-127.0.0.1-8443")
        #expect(id("http://127.0.0.1:8443/") == "custom-127.0.0.1-8443")
        #expect(id("https://Gemini.Example.com") == "custom-gemini.example.com-443")
        #expect(id("https://gemini.example.com:443") == "custom-gemini.example.com-443")
        #expect(id("http://localhost") == "custom-localhost-80")
        #expect(id("http://[::1]:9000") == "custom-__1-9000")
        // The WebSocket URL does not take part: trade ids are the REST venue's.
        #expect(id("http://127.0.0.1:8443", "ws://127.0.0.1:1") == id("http://127.0.0.1:8443", "ws://127.0.0.1:2"))
        #expect(id("http://127.0.0.1:8443") != id("http://127.0.0.1:8444"))
    }

    @Test func gemini_sOwnHostsAreTheirNamedVenues() {
        #expect(VenueConfiguration.custom(restURL: "https://api.gemini.com", websocketURL: "wss://api.gemini.com").identity == "production")
        #expect(VenueConfiguration.custom(restURL: "https://api.sandbox.gemini.com/", websocketURL: "wss://x").identity == "sandbox")
    }
}
