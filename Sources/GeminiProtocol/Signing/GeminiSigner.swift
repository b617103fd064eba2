import CastorSSL
import Foundation

/// Signs Gemini private requests with one API key (API.md §2).
///
/// `X-GEMINI-PAYLOAD` is base64 of the JSON payload, and `X-GEMINI-SIGNATURE` is the
/// lower-case hex HMAC-SHA384 of that base64 *text* keyed with the secret's raw bytes.
/// The signer only formats and hashes; nonces come from the key's `NonceSource`, and the
/// caller must send requests in nonce order.
public struct GeminiSigner: Sendable, CustomStringConvertible {
    public let credentials: APICredentials
    /// How nonces are written in JSON payloads; must match the key's `NonceSource`.
    public let nonceFormat: NonceFormat
    /// The secret prepared once as an HMAC key: signing is on the tick-to-order path.
    private let mac: HMACSHA384Key

    public init(credentials: APICredentials, nonceFormat: NonceFormat = .secondsWithMillis) {
        self.credentials = credentials
        self.nonceFormat = nonceFormat
        mac = credentials.withSecret { HMACSHA384Key(key: $0) }
    }

    /// Headers for a private REST call: `POST path` with an empty body.
    ///
    /// - Parameter fields: endpoint fields after `request` and `nonce`, in order. Decimals go
    ///   in as `.string` values formatted by the caller.
    public func signedHeaders(path: String, fields: [(String, PayloadValue)] = [], nonce: Nonce) -> SignedRequest {
        let payload = GeminiPayload(path: path, nonce: nonce, nonceFormat: nonceFormat, fields: fields)
        return sign(payloadJSON: payload.jsonBytes)
    }

    /// Headers for exactly these payload bytes (whitespace included), for replaying a
    /// known payload; normal requests use `signedHeaders(path:fields:nonce:)`.
    public func sign(payloadJSON: some Collection<UInt8>) -> SignedRequest {
        let json = Array(payloadJSON)
        let (base64, signature) = signPayload(json)
        return SignedRequest(
            headers: [
                (name: "Content-Type", value: "text/plain"),
                (name: "Content-Length", value: "0"),
                (name: "X-GEMINI-APIKEY", value: credentials.key),
                (name: "X-GEMINI-PAYLOAD", value: base64),
                (name: "X-GEMINI-SIGNATURE", value: signature),
                (name: "Cache-Control", value: "no-cache"),
            ],
            payloadBase64: base64, payloadJSON: json, signature: signature
        )
    }

    /// Headers for the order-events WebSocket upgrade (`GET`, API.md §6.1): the three
    /// `X-GEMINI-*` headers over `{"request":path,"nonce":…}`. The nonce consumes the key's
    /// sequence like any REST call.
    public func webSocketHandshakeHeaders(path: String = "/v1/order/events", nonce: Nonce) -> SignedRequest {
        let json = GeminiPayload(path: path, nonce: nonce, nonceFormat: nonceFormat).jsonBytes
        let (base64, signature) = signPayload(json)
        return SignedRequest(
            headers: [
                (name: "X-GEMINI-APIKEY", value: credentials.key),
                (name: "X-GEMINI-PAYLOAD", value: base64),
                (name: "X-GEMINI-SIGNATURE", value: signature),
            ],
            payloadBase64: base64, payloadJSON: json, signature: signature
        )
    }

    /// Headers for the upgrade to the new WebSocket API at `wss://ws.gemini.com` (API.md §7.4):
    /// `X-GEMINI-NONCE` is the nonce in whole epoch seconds and the payload is base64 of that
    /// decimal text. Only account keys with time-based nonces are accepted there.
    public func newWebSocketAPIHeaders(nonce: Nonce) -> SignedRequest {
        let text = nonce.text(.seconds)
        let (base64, signature) = signPayload(Array(text.utf8))
        return SignedRequest(
            headers: [
                (name: "X-GEMINI-APIKEY", value: credentials.key),
                (name: "X-GEMINI-NONCE", value: text),
                (name: "X-GEMINI-PAYLOAD", value: base64),
                (name: "X-GEMINI-SIGNATURE", value: signature),
            ],
            payloadBase64: base64, payloadJSON: Array(text.utf8), signature: signature
        )
    }

    private func signPayload(_ bytes: [UInt8]) -> (base64: String, signature: String) {
        let base64 = Data(bytes).base64EncodedString()
        // The HMAC message is the base64 text itself, not the JSON (API.md §2.1).
        let signature = mac.hexDigest(message: base64.utf8)
        return (base64, signature)
    }

    public var description: String { "GeminiSigner(key: \(credentials.key), nonceFormat: \(nonceFormat))" }
}
