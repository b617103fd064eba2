@testable import CastorWebSocket
import Testing

@Suite struct WebSocketURLTests {
    @Test func parsesSecureURLWithDefaultsAndQuery() throws {
        let url = try WebSocketURL("wss://api.gemini.com/v1/order/events?symbolFilter=btcusd&heartbeat=true")
        #expect(url.isSecure && url.host == "api.gemini.com" && url.port == 443)
        #expect(url.target == "/v1/order/events?symbolFilter=btcusd&heartbeat=true")
        #expect(url.hostHeader == "api.gemini.com")
    }

    @Test func parsesPortsIPv6AndBareHosts() throws {
        let a = try WebSocketURL("wss://example.com:8443")
        #expect(a.port == 8443 && a.target == "/" && a.hostHeader == "example.com:8443")
        let b = try WebSocketURL("ws://[::1]:9000/x#frag")
        #expect(b.host == "::1" && b.port == 9000 && b.target == "/x" && b.hostHeader == "[::1]:9000")
        let c = try WebSocketURL("WS://localhost?q=1")
        #expect(!c.isSecure && c.port == 80 && c.target == "/?q=1")
    }

    @Test(arguments: ["ws://127.0.0.1:1/", "ws://127.9.8.7/", "ws://localhost/", "ws://[::1]/"])
    func plainWebSocketAllowedToLoopback(url: String) throws {
        _ = try WebSocketURL(url)
    }

    @Test(arguments: ["ws://api.gemini.com/v2/marketdata", "ws://10.0.0.1/", "ws://128.0.0.1/", "ws://127.0.0.1.evil.com/", "ws://[::2]/",
                      // Found by the fuzzer: not numeric to getaddrinfo, so DNS would resolve them.
                      "ws://127.0128.0.1/", "ws://127.0.-0.1/", "ws://127.+1.0.1/", "ws://127.00.0.1/"])
    func plainWebSocketRefusedToRemoteHosts(url: String) {
        #expect(throws: WebSocketError.self) { try WebSocketURL(url) }
        do { _ = try WebSocketURL(url) } catch {
            guard case .insecureSchemeForRemoteHost = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    @Test(arguments: ["http://x/", "wss://", "wss://host:0/", "wss://host:70000/", "wss://user@host/", "wss://[::1/",
                      // Found by the fuzzer: these split the request line or the Host header.
                      "wss://host\r\nX-Evil: 1/", "wss://host/a b", "wss://ho\u{0}st/", "wss://host/\u{7F}"])
    func malformedURLsAreRejected(url: String) {
        #expect(throws: WebSocketError.self) { try WebSocketURL(url) }
    }
}
