import CastorSSL
import CastorWebSocket
import Testing

/// wss:// against the Python peer serving TLS with a throwaway CA.
@Suite(.timeLimit(.minutes(2))) struct WebSocketTLSTests {
    static func connect(host: String, cert: String, key: String, trustCA: Bool) throws -> (PeerProcess, EventRecorder, WebSocketClient) {
        let certs = try TestCertificates.shared.get()
        let peer = try PeerProcess(mode: "echo", extraArguments: ["--tls", cert, key])
        let context = try TLSClientContext(additionalTrustedCAFile: trustCA ? certs.caFile : nil)
        let events = EventRecorder()
        let client = WebSocketClient(url: try WebSocketURL("wss://\(host):\(peer.port)/tls"),
                                     options: WebSocketOptions(tlsContext: context), handler: events.handler)
        client.queue.async { client.connect() }
        return (peer, events, client)
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func echoesOverTLSWhenTheCAIsTrusted(host: String) throws {
        let certs = try TestCertificates.shared.get()
        let (peer, events, client) = try Self.connect(host: host, cert: certs.serverCert, key: certs.serverKey, trustCA: true)
        let first = events.wait { $0 == .open || $0.isTerminal }
        try #require(first == .open, "TLS connection did not open: \(String(describing: first))")
        try client.queue.sync {
            try client.send(text: "over tls")
            try client.send(binary: Array(repeating: 7, count: 100_000))  // spans many TLS records
        }
        #expect(events.wait { $0 == .text("over tls") } != nil)
        #expect(events.wait { $0 == .binary(Array(repeating: 7, count: 100_000)) } != nil)
        client.queue.sync { client.close(code: 1000, reason: "tls bye") }
        #expect(events.waitForTerminal() == .closed(1000, "tls bye"))
        #expect(peer.waitForLine(prefix: "REPORT CLOSE") == "REPORT CLOSE 1000 tls bye")
    }

    @Test func untrustedCAFailsVerification() throws {
        let certs = try TestCertificates.shared.get()
        let (peer, events, client) = try Self.connect(host: "127.0.0.1", cert: certs.serverCert, key: certs.serverKey, trustCA: false)
        let terminal = withExtendedLifetime((peer, client)) { events.waitForTerminal() }
        guard case let .failed(.tls(.certificateVerificationFailed(reason, _)))? = terminal else {
            Issue.record("expected certificate verification failure, got \(String(describing: terminal))")
            return
        }
        #expect(reason.contains("issuer"))
    }

    @Test(arguments: [("localhost", "hostname mismatch"), ("127.0.0.1", "IP address mismatch")])
    func certificateForAnotherNameIsRejected(host: String, expected: String) throws {
        let certs = try TestCertificates.shared.get()
        let (peer, events, client) = try Self.connect(host: host, cert: certs.otherCert, key: certs.otherKey, trustCA: true)
        let terminal = withExtendedLifetime((peer, client)) { events.waitForTerminal() }
        guard case let .failed(.tls(.certificateVerificationFailed(reason, _)))? = terminal else {
            Issue.record("expected name mismatch, got \(String(describing: terminal))")
            return
        }
        #expect(reason == expected)
    }
}
