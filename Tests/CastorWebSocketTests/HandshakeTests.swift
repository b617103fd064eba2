@testable import CastorWebSocket
import Testing

/// The upgrade request and response parser, without any I/O.
@Suite struct HandshakeTests {
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="
    static let accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

    static func response(accept: String = accept, extra: String = "") -> [UInt8] {
        Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(accept)\r\n\(extra)\r\n").utf8)
    }

    @Test func acceptKeyMatchesRFC6455Sample() {
        #expect(HandshakeRequest.accept(forKey: Self.key) == Self.accept)
    }

    @Test func base64MatchesRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors { #expect(Base64.encode(Array(plain.utf8)) == encoded) }
    }

    @Test func requestCarriesRequiredAndCustomHeaders() throws {
        let url = try WebSocketURL("wss://api.gemini.com/v1/order/events?heartbeat=true")
        let request = HandshakeRequest(url: url, headers: [("X-GEMINI-APIKEY", "k"), ("X-GEMINI-SIGNATURE", "s")], key: Self.key)
        let text = String(decoding: request.bytes, as: UTF8.self)
        #expect(text.hasPrefix("GET /v1/order/events?heartbeat=true HTTP/1.1\r\nHost: api.gemini.com\r\n"))
        for line in ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: \(Self.key)",
                     "Sec-WebSocket-Version: 13", "X-GEMINI-APIKEY: k", "X-GEMINI-SIGNATURE: s"] {
            #expect(text.contains("\r\n\(line)\r\n"))
        }
        #expect(text.hasSuffix("\r\n\r\n"))
    }

    @Test func randomKeysAreSixteenBytesAndFresh() throws {
        let url = try WebSocketURL("ws://127.0.0.1/")
        let a = try HandshakeRequest(url: url, headers: []).key
        let b = try HandshakeRequest(url: url, headers: []).key
        #expect(a.count == 24 && a.hasSuffix("=="))
        #expect(a != b)
    }

    @Test func headerInjectionIsRefused() {
        #expect(throws: WebSocketError.self) { try HandshakeRequest.validate(headers: [("X-A", "v\r\nEvil: 1")]) }
        #expect(throws: WebSocketError.self) { try HandshakeRequest.validate(headers: [("Bad Name", "v")]) }
        #expect(throws: WebSocketError.self) { try HandshakeRequest.validate(headers: [("sec-websocket-key", "v")]) }
        #expect(throws: Never.self) { try HandshakeRequest.validate(headers: [("X-GEMINI-PAYLOAD", "abc=")]) }
    }

    @Test func upgradeParsedWhenSplitAtEveryByte() {
        let frame: [UInt8] = [0x81, 0x02, 0x68, 0x69]
        let bytes = Self.response() + frame
        for split in 0...bytes.count {
            var machine = HandshakeStateMachine(expectedAccept: Self.accept)
            // Once the machine reports the upgrade, later bytes belong to the frame layer,
            // so the stream after the header block is leftover + the unfed rest.
            var stream: [UInt8]? = nil
            switch machine.receive(bytes[..<split]) {
            case let .upgraded(leftover): stream = leftover + bytes[split...]
            case .needMoreBytes:
                if case let .upgraded(leftover) = machine.receive(bytes[split...]) { stream = leftover }
            case .failed: break
            }
            #expect(stream == frame, "split at \(split)")
        }
    }

    @Test func byteByByteFeedYieldsLeftover() {
        var machine = HandshakeStateMachine(expectedAccept: Self.accept)
        let bytes = Self.response() + [0x8A, 0x00]
        var result: HandshakeStateMachine.Action = .needMoreBytes
        var fed = 0
        while result == .needMoreBytes && fed < bytes.count {
            result = machine.receive(bytes[fed...fed])
            fed += 1
        }
        #expect(result == .upgraded(leftover: []))
        #expect(fed == bytes.count - 2)
    }

    @Test func rejectionCarriesStatusAndBody() {
        var machine = HandshakeStateMachine(expectedAccept: Self.accept)
        let body = #"{"result":"error","reason":"InvalidNonce","message":"Nonce too low"}"#
        let head = "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        #expect(machine.receive(Array(head.utf8)) == .needMoreBytes)
        #expect(machine.receive(Array(body.utf8.prefix(10))) == .needMoreBytes)
        #expect(machine.receive(Array(body.utf8.dropFirst(10))) == .failed(.handshakeRejected(status: 401, reason: "Unauthorized", body: body)))
    }

    /// Found by the fuzzer: `Content-Length: -1` on a rejection trapped (a negative limit).
    @Test func negativeOrNonNumericContentLengthIsTreatedAsUnknown() {
        for length in ["-1", "+5", " 1 2", "0x10"] {
            var machine = HandshakeStateMachine(expectedAccept: Self.accept)
            #expect(machine.receive(Array("HTTP/1.1 403 Forbidden\r\nContent-Length: \(length)\r\n\r\nno".utf8)) == .needMoreBytes)
            #expect(machine.peerClosed() == .failed(.handshakeRejected(status: 403, reason: "Forbidden", body: "no")))
        }
    }

    @Test func rejectionWithoutLengthEndsAtEOF() {
        var machine = HandshakeStateMachine(expectedAccept: Self.accept)
        #expect(machine.receive(Array("HTTP/1.1 403 Forbidden\r\n\r\nno".utf8)) == .needMoreBytes)
        #expect(machine.peerClosed() == .failed(.handshakeRejected(status: 403, reason: "Forbidden", body: "no")))
    }

    @Test(arguments: [
        ("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n", "Upgrade header"),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n", "Connection header"),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", "Sec-WebSocket-Accept"),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n", "Sec-WebSocket-Accept"),
        ("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: \(accept)\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", "extension"),
        ("garbage\r\n\r\n", "status line"),
    ])
    func invalidUpgradeIsRejected(response: String, mention: String) {
        var machine = HandshakeStateMachine(expectedAccept: Self.accept)
        guard case let .failed(.handshakeInvalid(reason)) = machine.receive(Array(response.utf8)) else {
            Issue.record("accepted an invalid upgrade: \(response)")
            return
        }
        #expect(reason.contains(mention))
    }

    @Test func oversizedHeadersAreRejected() {
        var machine = HandshakeStateMachine(expectedAccept: Self.accept, maxHeaderSize: 256)
        let huge = Self.response(extra: "X-Filler: \(String(repeating: "a", count: 300))\r\n")
        #expect(machine.receive(huge) == .failed(.handshakeTooLarge(limit: 256)))
        var endless = HandshakeStateMachine(expectedAccept: Self.accept, maxHeaderSize: 256)
        #expect(endless.receive(Array(repeating: UInt8(ascii: "a"), count: 300)) == .failed(.handshakeTooLarge(limit: 256)))
    }

    @Test func eofBeforeHeadersIsConnectionLost() {
        var machine = HandshakeStateMachine(expectedAccept: Self.accept)
        _ = machine.receive(Array("HTTP/1.1 101".utf8))
        guard case .failed(.connectionLost) = machine.peerClosed() else { Issue.record("expected connectionLost"); return }
    }
}
