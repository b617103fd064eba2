import Dispatch
import Testing
@testable import CastorHTTP

/// Requests refused before any network activity.
@Suite struct HTTPRequestPolicyTests {
    @Test(arguments: ["http://example.com/v1/pubticker/btcusd", "http://10.0.0.1:8080/", "http://[::2]/",
                      "http://128.0.0.1/", "http://localhost.example.com/", "HTTP://api.gemini.com/"])
    func plaintextToNonLoopbackIsRefused(url: String) async throws {
        let client = try HTTPClient()
        let error = try expectError(try await perform(client, HTTPRequest(method: .get, url: url)))
        guard case .plaintextToNonLoopback = error else {
            Issue.record("expected plaintextToNonLoopback, got \(error)")
            return
        }
        #expect(!error.requestMayHaveBeenSent)
    }

    @Test(arguments: ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]"])
    func loopbackHostsAreRecognised(host: String) {
        #expect(ParsedURL.isLoopback(host))
    }

    @Test(arguments: ["not a url", "ftp://127.0.0.1/file", "wss://api.gemini.com/v2/marketdata", ""])
    func unusableURLsAreInvalid(url: String) async throws {
        let client = try HTTPClient()
        let error = try expectError(try await perform(client, HTTPRequest(method: .get, url: url)))
        guard case .invalidURL = error else {
            Issue.record("expected invalidURL, got \(error)")
            return
        }
    }

    @Test func malformedRequestsAreRefused() async throws {
        let client = try HTTPClient()
        let getWithBody = HTTPRequest(method: .get, url: "https://127.0.0.1:1/", body: [1])
        let headerInjection = HTTPRequest(method: .post, url: "https://127.0.0.1:1/", headers: [("X-A", "b\r\nX-Evil: 1")])
        for request in [getWithBody, headerInjection] {
            let error = try expectError(try await perform(client, request))
            guard case .invalidRequest = error else {
                Issue.record("expected invalidRequest, got \(error)")
                continue
            }
        }
    }
}
