import CastorWebSocket
import Foundation
import Testing

/// End-to-end tests against the independent Python peer over loopback TCP.
@Suite(.timeLimit(.minutes(2))) struct WebSocketPeerTests {
    struct Session {
        let peer: PeerProcess
        let client: WebSocketClient
        let events: EventRecorder

        func onQueue<T>(_ body: () throws -> T) rethrows -> T {
            try withExtendedLifetime(peer) { try client.queue.sync { try body() } }
        }
    }

    static func start(mode: String, path: String = "/", headers: [(name: String, value: String)] = [],
                      options: WebSocketOptions = .init()) async throws -> Session {
        let peer = try await PeerProcess(mode: mode)
        let events = EventRecorder()
        let url = try WebSocketURL("ws://127.0.0.1:\(peer.port)\(path)")
        let client = WebSocketClient(url: url, headers: headers, options: options, handler: events.handler)
        client.queue.async { client.connect() }
        return Session(peer: peer, client: client, events: events)
    }

    static func expectOpen(_ s: Session) async throws {
        let first = await s.events.wait { $0 == .open || $0.isTerminal }
        try #require(first == .open, "connection did not open: \(String(describing: first))")
    }

    @Test func echoesTextAndBinaryThenClosesWithCodeAndReason() async throws {
        let s = try await Self.start(mode: "echo")
        try await Self.expectOpen(s)
        try s.onQueue {
            try s.client.send(text: "hello gemini")
            try s.client.send(binary: [0, 1, 2, 255])
            try s.client.send(text: String(repeating: "é", count: 40_000))  // > 64 KiB, 64-bit length
        }
        #expect(await s.events.wait { $0 == .text("hello gemini") } != nil)
        #expect(await s.events.wait { $0 == .binary([0, 1, 2, 255]) } != nil)
        #expect(await s.events.wait { $0 == .text(String(repeating: "é", count: 40_000)) } != nil)
        try s.onQueue { try s.client.sendPing([1, 2, 3]) }
        #expect(await s.events.wait { $0 == .pong } != nil)
        s.onQueue { s.client.close(code: 1000, reason: "done here") }
        #expect(await s.events.waitForTerminal() == .closed(1000, "done here"))
        #expect(await s.peer.waitForLine(prefix: "REPORT CLOSE") == "REPORT CLOSE 1000 done here")
        #expect(s.events.all.filter(\.isTerminal).count == 1)
        #expect(throws: WebSocketError.self) { try s.onQueue { try s.client.send(text: "late") } }
    }

    @Test func reassemblesFragmentedMessages() async throws {
        let s = try await Self.start(mode: "fragmented")
        try await Self.expectOpen(s)
        #expect(await s.events.wait { $0 == .text("frag-one|frag-two|frag-three") } != nil)
        #expect(await s.events.wait { $0 == .binary([0, 1, 2, 3, 255]) } != nil)
        s.onQueue { s.client.close() }
        #expect(await s.events.waitForTerminal() == .closed(1000, ""))
    }

    @Test func answersServerPingWithPong() async throws {
        let s = try await Self.start(mode: "ping")
        try await Self.expectOpen(s)
        #expect(await s.peer.waitForLine(prefix: "REPORT PONG") == "REPORT PONG_RECEIVED")
        #expect(await s.events.wait { $0 == .text("pong-seen") } != nil)
        s.onQueue { s.client.close() }
        #expect(await s.events.waitForTerminal() == .closed(1000, ""))
    }

    @Test func reportsServerInitiatedClose() async throws {
        let s = try await Self.start(mode: "server-close")
        #expect(await s.events.waitForTerminal() == .closed(1001, "going away"))
        #expect(s.events.all == [.open, .text("bye-soon"), .closed(1001, "going away")])
        #expect(await s.peer.waitForLine(prefix: "REPORT CLOSE") == "REPORT CLOSE 1001 going away")
    }

    @Test func oversizeMessageClosesWith1009() async throws {
        let s = try await Self.start(mode: "big", options: .init(maxMessageSize: 1024))
        #expect(await s.events.waitForTerminal() == .failed(.messageTooBig(limit: 1024)))
        #expect(await s.peer.waitForLine(prefix: "REPORT CLOSE") == "REPORT CLOSE 1009 ")
    }

    /// Fragments count towards the limit together: the client assembles messages itself
    /// (libwslay's no-buffering mode), so the whole message's size is checked there.
    @Test func fragmentedOversizeMessageClosesWith1009AndIsNotDelivered() async throws {
        let s = try await Self.start(mode: "big-fragmented", options: .init(maxMessageSize: 1024))
        #expect(await s.events.waitForTerminal() == .failed(.messageTooBig(limit: 1024)))
        #expect(await s.peer.waitForLine(prefix: "REPORT CLOSE") == "REPORT CLOSE 1009 ")
        #expect(s.events.all.contains(.text("small|" + String(repeating: "y", count: 400))))
        #expect(!s.events.all.contains { if case .text(let t) = $0 { t.hasPrefix("xxx") } else { false } })
    }

    @Test func customHeadersAndQueryReachTheServer() async throws {
        let s = try await Self.start(mode: "headers", path: "/v1/order/events?heartbeat=true",
                               headers: [("X-GEMINI-APIKEY", "account-key"), ("X-GEMINI-PAYLOAD", "eyJub25jZSI6MX0=")])
        let message = await s.events.wait { if case .text = $0 { true } else { false } }
        guard case let .text(json)? = message else { Issue.record("no headers report: \(s.events.all)"); return }
        let fields = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
        #expect(fields?["path"] == "/v1/order/events?heartbeat=true")
        #expect(fields?["apikey"] == "account-key")
        #expect(fields?["payload"] == "eyJub25jZSI6MX0=")
        #expect(fields?["version"] == "13")
        s.onQueue { s.client.close() }
        #expect(await s.events.waitForTerminal() == .closed(1000, ""))
    }

    @Test func non101ResponseCarriesStatusAndBody() async throws {
        let s = try await Self.start(mode: "echo", path: "/forbidden")
        let terminal = await s.events.waitForTerminal()
        guard case let .failed(.handshakeRejected(status, _, body))? = terminal else {
            Issue.record("expected handshakeRejected, got \(String(describing: terminal))")
            return
        }
        #expect(status == 403)
        #expect(body.contains("InvalidSignature"))
        #expect(s.events.all.count == 1)
    }

    @Test func badAcceptKeyFailsTheHandshake() async throws {
        let s = try await Self.start(mode: "raw-bad-accept")
        let terminal = await s.events.waitForTerminal()
        guard case let .failed(.handshakeInvalid(reason))? = terminal else {
            Issue.record("expected handshakeInvalid, got \(String(describing: terminal))")
            return
        }
        #expect(reason.contains("Sec-WebSocket-Accept"))
    }

    @Test func framesSentWithThe101AreNotLost() async throws {
        let s = try await Self.start(mode: "raw-leftover")
        #expect(await s.events.wait { $0 == .text("early") } != nil)
        s.onQueue { s.client.close(code: 1000, reason: "ok") }
        #expect(await s.peer.waitForLine(prefix: "REPORT") == "REPORT CLOSE 1000 ok")
    }

    @Test(arguments: [
        ("raw-bad-utf8", WebSocketError.invalidUTF8, 1007),
        ("raw-masked", WebSocketError.protocolViolation(closeCode: 1002), 1002),
        ("raw-bad-opcode", WebSocketError.protocolViolation(closeCode: 1002), 1002),
        ("raw-rsv", WebSocketError.protocolViolation(closeCode: 1002), 1002),
    ])
    func protocolViolationsFailWithCloseCode(mode: String, expected: WebSocketError, code: Int) async throws {
        let s = try await Self.start(mode: mode)
        #expect(await s.events.waitForTerminal() == .failed(expected))
        #expect(await s.peer.waitForLine(prefix: "REPORT") == "REPORT CLOSE \(code) ")
        #expect(!s.events.all.contains { if case .text = $0 { true } else { false } })
    }

    @Test func refusedConnectionIsTypedError() async throws {
        // Bind and close a listener to get a port that nobody listens on.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        close(fd)
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let events = EventRecorder()
        let client = WebSocketClient(url: try WebSocketURL("ws://127.0.0.1:\(port)/"), handler: events.handler)
        client.queue.async { client.connect() }
        let terminal = await events.waitForTerminal()
        guard case .failed(.connectFailed)? = terminal else {
            Issue.record("expected connectFailed, got \(String(describing: terminal))")
            return
        }
    }

    @Test func silentServerHitsHandshakeTimeoutAndSocketIsReleased() async throws {
        let s = try await Self.start(mode: "raw-silent", options: .init(handshakeTimeout: 0.3))
        #expect(await s.events.waitForTerminal() == .failed(.handshakeTimedOut(seconds: 0.3)))
        // The peer sees EOF only if the client really closed its file descriptor.
        #expect(await s.peer.waitForLine(prefix: "REPORT") == "REPORT CLIENT_GONE")
    }
}
