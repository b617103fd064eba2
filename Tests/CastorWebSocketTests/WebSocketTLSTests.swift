import CastorSSL
import CastorWebSocket
import Testing

/// wss:// against the Python peer serving TLS with a throwaway CA.
@Suite(.timeLimit(.minutes(2))) struct WebSocketTLSTests {
    static func connect(host: String, cert: String, key: String, trustCA: Bool) async throws -> (PeerProcess, EventRecorder, WebSocketClient) {
        let certs = try await TestCertificates.shared().get()
        let peer = try await PeerProcess(mode: "echo", extraArguments: ["--tls", cert, key])
        let context = try TLSClientContext(additionalTrustedCAFile: trustCA ? certs.caFile : nil)
        let events = EventRecorder()
        let client = WebSocketClient(url: try WebSocketURL("wss://\(host):\(peer.port)/tls"),
                                     options: WebSocketOptions(tlsContext: context), handler: events.handler)
        client.queue.async { client.connect() }
        return (peer, events, client)
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func echoesOverTLSWhenTheCAIsTrusted(host: String) async throws {
        let certs = try await TestCertificates.shared().get()
        let (peer, events, client) = try await Self.connect(host: host, cert: certs.serverCert, key: certs.serverKey, trustCA: true)
        let first = await events.wait { $0 == .open || $0.isTerminal }
        try #require(first == .open, "TLS connection did not open: \(String(describing: first))")
        try client.queue.sync {
            try client.send(text: "over tls")
            try client.send(binary: Array(repeating: 7, count: 100_000))  // spans many TLS records
        }
        #expect(await events.wait { $0 == .text("over tls") } != nil)
        #expect(await events.wait { $0 == .binary(Array(repeating: 7, count: 100_000)) } != nil)
        client.queue.sync { client.close(code: 1000, reason: "tls bye") }
        #expect(await events.waitForTerminal() == .closed(1000, "tls bye"))
        #expect(await peer.waitForLine(prefix: "REPORT CLOSE") == "REPORT CLOSE 1000 tls bye")
    }

    @Test func untrustedCAFailsVerification() async throws {
        let certs = try await TestCertificates.shared().get()
        let (peer, events, client) = try await Self.connect(host: "127.0.0.1", cert: certs.serverCert, key: certs.serverKey, trustCA: false)
        let terminal = await events.waitForTerminal()
        withExtendedLifetime((peer, client)) {}
        guard case let .failed(.tls(.certificateVerificationFailed(reason, _)))? = terminal else {
            Issue.record("expected certificate verification failure, got \(String(describing: terminal))")
            return
        }
        #expect(reason.contains("issuer"))
    }

    @Test(arguments: [("localhost", "hostname mismatch"), ("127.0.0.1", "IP address mismatch")])
    func certificateForAnotherNameIsRejected(host: String, expected: String) async throws {
        let certs = try await TestCertificates.shared().get()
        let (peer, events, client) = try await Self.connect(host: host, cert: certs.otherCert, key: certs.otherKey, trustCA: true)
        let terminal = await events.waitForTerminal()
        withExtendedLifetime((peer, client)) {}
        guard case let .failed(.tls(.certificateVerificationFailed(reason, _)))? = terminal else {
            Issue.record("expected name mismatch, got \(String(describing: terminal))")
            return
        }
        #expect(reason == expected)
    }
}
