import Foundation
import GeminiProtocol
import Testing

/// Every worked example of API.md §2.6, reproduced byte for byte.
@Suite struct SigningVectorTests {
    static let fakeKey = "account-FAKEKEYFORDOCS00000"
    static let fakeSecret = "FAKESECRETdoNotUse1234567890ab"

    static func signer(_ format: NonceFormat) throws -> GeminiSigner {
        GeminiSigner(credentials: try APICredentials(key: fakeKey, secret: fakeSecret), nonceFormat: format)
    }

    @Test func vectorA_historicDocsExampleWithExactPrettyPrintedBytes() throws {
        let payload = "{\n    \"request\": \"/v1/order/status\",\n    \"nonce\": 123456,\n\n    \"order_id\": 18834\n}\n"
        let signer = GeminiSigner(credentials: try APICredentials(key: "docs-key", secret: "1234abcd"))
        let signed = signer.sign(payloadJSON: Array(payload.utf8))
        #expect(signed.payloadBase64 ==
            "ewogICAgInJlcXVlc3QiOiAiL3YxL29yZGVyL3N0YXR1cyIsCiAgICAibm9uY2UiOiAxMjM0NTYsCgogICAgIm9yZGVyX2lkIjogMTg4MzQKfQo=")
        #expect(signed.signature ==
            "337cc8b4ea692cfe65b4a85fcc9f042b2e3f702ac956fd098d600ab15705775017beae402be773ceee10719ff70d710f")
        #expect(signed.header("X-GEMINI-PAYLOAD") == signed.payloadBase64)
        #expect(signed.header("X-GEMINI-SIGNATURE") == signed.signature)
    }

    @Test func vectorB_orderPlacementThroughTheBuilder() throws {
        let signed = try Self.signer(.secondsWithMillis).signedHeaders(
            path: "/v1/order/new",
            fields: [
                ("client_order_id", "bot-0001"),
                ("symbol", "btcusd"),
                ("amount", "0.001"),
                ("price", "25000.00"),
                ("side", "buy"),
                ("type", "exchange limit"),
                ("options", .stringArray(["maker-or-cancel"])),
            ],
            nonce: Nonce(milliseconds: 1_712_045_678_123)
        )
        #expect(String(decoding: signed.payloadJSON, as: UTF8.self) ==
            #"{"request":"/v1/order/new","nonce":"1712045678.123","client_order_id":"bot-0001","symbol":"btcusd","amount":"0.001","price":"25000.00","side":"buy","type":"exchange limit","options":["maker-or-cancel"]}"#)
        #expect(signed.payloadBase64 ==
            "eyJyZXF1ZXN0IjoiL3YxL29yZGVyL25ldyIsIm5vbmNlIjoiMTcxMjA0NTY3OC4xMjMiLCJjbGllbnRfb3JkZXJfaWQiOiJib3QtMDAwMSIsInN5bWJvbCI6ImJ0Y3VzZCIsImFtb3VudCI6IjAuMDAxIiwicHJpY2UiOiIyNTAwMC4wMCIsInNpZGUiOiJidXkiLCJ0eXBlIjoiZXhjaGFuZ2UgbGltaXQiLCJvcHRpb25zIjpbIm1ha2VyLW9yLWNhbmNlbCJdfQ==")
        #expect(signed.signature ==
            "c83191786b9e7689462718d27040642b8a07aeca72166e09e4556dda1e9c25d623f0a3f200f6a5798ddca17fc5987123")
    }

    @Test func restHeadersAreExactlyThoseOfSection2_1() throws {
        let signed = try Self.signer(.secondsWithMillis).signedHeaders(path: "/v1/heartbeat", nonce: Nonce(seconds: 1))
        #expect(signed.headers.map(\.name) ==
            ["Content-Type", "Content-Length", "X-GEMINI-APIKEY", "X-GEMINI-PAYLOAD", "X-GEMINI-SIGNATURE", "Cache-Control"])
        #expect(signed.header("content-type") == "text/plain")
        #expect(signed.header("Content-Length") == "0")
        #expect(signed.header("X-GEMINI-APIKEY") == Self.fakeKey)
        #expect(signed.header("Cache-Control") == "no-cache")
    }

    @Test func tableRow_heartbeatWithIntegerSecondsNonce() throws {
        let signed = try Self.signer(.seconds).signedHeaders(path: "/v1/heartbeat", nonce: Nonce(seconds: 1_712_045_679))
        #expect(String(decoding: signed.payloadJSON, as: UTF8.self) == #"{"request":"/v1/heartbeat","nonce":1712045679}"#)
        #expect(signed.payloadBase64 == "eyJyZXF1ZXN0IjoiL3YxL2hlYXJ0YmVhdCIsIm5vbmNlIjoxNzEyMDQ1Njc5fQ==")
        #expect(signed.signature ==
            "df79f6dc76decc6f76e89e806b2ae42683b33d80513669259b81a830240a2b0990ae76276a4265fd8ddddd016c206ec2")
    }

    @Test func tableRow_orderEventsWebSocketHandshake() throws {
        let signed = try Self.signer(.seconds).webSocketHandshakeHeaders(nonce: Nonce(seconds: 1_712_045_681))
        #expect(String(decoding: signed.payloadJSON, as: UTF8.self) == #"{"request":"/v1/order/events","nonce":1712045681}"#)
        #expect(signed.payloadBase64 == "eyJyZXF1ZXN0IjoiL3YxL29yZGVyL2V2ZW50cyIsIm5vbmNlIjoxNzEyMDQ1NjgxfQ==")
        #expect(signed.signature ==
            "af827c54f354e053fdda34f68ef121497fc2ffacefa558aae8ac028a1b6de7d1be7365619101ebcc7006e2fa445205db")
        // A GET upgrade carries only the three authentication headers.
        #expect(signed.headers.map(\.name) == ["X-GEMINI-APIKEY", "X-GEMINI-PAYLOAD", "X-GEMINI-SIGNATURE"])
    }

    @Test func tableRow_newWebSocketAPINonceOnlyPayload() throws {
        // The nonce header is whole seconds whatever the signer's JSON nonce format.
        let signed = try Self.signer(.secondsWithMillis).newWebSocketAPIHeaders(nonce: Nonce(milliseconds: 1_712_045_680_999))
        #expect(signed.header("X-GEMINI-NONCE") == "1712045680")
        #expect(signed.payloadBase64 == "MTcxMjA0NTY4MA==")
        #expect(signed.signature ==
            "67aa9a40a3d676609e5756051132331fa88d4cb63a781b2947ba4d4369ea90bc45225cfc2a4e5d71dd78d4f79c1faed6")
        #expect(signed.headers.map(\.name) == ["X-GEMINI-APIKEY", "X-GEMINI-NONCE", "X-GEMINI-PAYLOAD", "X-GEMINI-SIGNATURE"])
    }

    @Test func docsWebSocketHandshakePayloadDecodesAndIsReproducedByTheBuilder() throws {
        let docsPayload = "eyJyZXF1ZXN0IjoiL3YxL29yZGVyL2V2ZW50cyIsIm5vbmNlIjoxNDc3OTYzMjQwNzQxMDgzMzA3fQ=="
        let decoded = try #require(Data(base64Encoded: docsPayload))
        #expect(String(decoding: decoded, as: UTF8.self) == #"{"request":"/v1/order/events","nonce":1477963240741083307}"#)
        // The docs' nanosecond nonce, written as a plain integer, rebuilds the same header.
        let signed = try Self.signer(.milliseconds)
            .webSocketHandshakeHeaders(nonce: Nonce(milliseconds: 1_477_963_240_741_083_307))
        #expect(signed.payloadBase64 == docsPayload)
    }

    @Test func signatureIsHMACOfTheBase64TextNotOfTheJSON() throws {
        let signer = try Self.signer(.secondsWithMillis)
        let json = Array(#"{"request":"/v1/heartbeat","nonce":1712045679}"#.utf8)
        #expect(signer.sign(payloadJSON: json).signature ==
            "df79f6dc76decc6f76e89e806b2ae42683b33d80513669259b81a830240a2b0990ae76276a4265fd8ddddd016c206ec2")
        // Same JSON with one extra space: different base64, so a different signature.
        let spaced = Array(#"{"request":"/v1/heartbeat", "nonce":1712045679}"#.utf8)
        #expect(signer.sign(payloadJSON: spaced).signature != signer.sign(payloadJSON: json).signature)
    }
}
