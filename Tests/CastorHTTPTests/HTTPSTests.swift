import Glibc
import Testing
@testable import CastorHTTP

/// TLS against a Python HTTPS peer with a throwaway CA made by the openssl CLI.
@Suite(.timeLimit(.minutes(2))) struct HTTPSTests {
    @Test(arguments: ["127.0.0.1", "localhost"])
    func trustedCAGivesResponsesOnOneConnection(host: String) async throws {
        let server = try await LoopbackServer(tls: true)
        var options = HTTPClient.Options()
        options.additionalCAFile = server.caFile
        let client = try HTTPClient(options: options)
        for index in 0..<3 {
            let request = HTTPRequest(method: .post, url: server.url("/echo", scheme: "https", host: host))
            let response = try expectResponse(try await perform(client, request))
            #expect(response.status == 200)
            #expect(response.metrics.connectionReused == (index > 0))
        }
        let count = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/connections", scheme: "https", host: host))))
        #expect(try json(count)["count"] as? Int == 1, "one TLS handshake for all requests")
    }

    @Test func untrustedCertificateFailsVerificationBeforeSending() async throws {
        let server = try await LoopbackServer(tls: true)
        let client = try HTTPClient()
        let error = try expectError(try await perform(client, HTTPRequest(method: .post, url: server.url("/echo", scheme: "https"))))
        guard case .tlsFailure(.certificateVerification, _) = error else {
            Issue.record("expected a certificate verification failure, got \(error)")
            return
        }
        #expect(!error.requestMayHaveBeenSent)
    }

    /// The extra CA file adds to the system store instead of replacing it: here a
    /// stand-in "system" directory trusts server B while the extra file trusts server A.
    @Test func additionalCAFileDoesNotReplaceTheSystemStore() async throws {
        let serverA = try await LoopbackServer(tls: true)
        let serverB = try await LoopbackServer(tls: true)
        var options = HTTPClient.Options()
        options.additionalCAFile = serverA.caFile
        options.systemCAPath = serverB.caPath
        let client = try HTTPClient(options: options)
        for server in [serverA, serverB] {
            let response = try expectResponse(try await perform(client, HTTPRequest(method: .get, url: server.url("/echo", scheme: "https"))))
            #expect(response.status == 200)
        }
    }
}

extension HTTPSTests {
    /// TCP connects, but the TLS handshake never completes: the request cannot have left.
    @Test func timeoutDuringTLSHandshakeWasNotSent() async throws {
        let (port, fd) = try refusedPort(listening: true)
        defer { close(fd) }
        let client = try HTTPClient()
        let request = HTTPRequest(method: .post, url: "https://127.0.0.1:\(port)/v1/order/new",
                                  timeout: .milliseconds(300), connectTimeout: .milliseconds(300))
        let error = try expectError(try await perform(client, request))
        guard case .timedOut(requestMayHaveBeenSent: false, _) = error else {
            Issue.record("expected timedOut before sending, got \(error)")
            return
        }
    }
}
