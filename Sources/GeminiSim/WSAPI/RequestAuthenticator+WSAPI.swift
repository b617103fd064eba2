import CastorSSL
import Foundation

extension RequestAuthenticator {
    /// The upgrade headers of the new WebSocket API (WS-API.md §1.4), lower-case.
    static let webSocketAPIHeaders = ["x-gemini-apikey", "x-gemini-nonce", "x-gemini-payload", "x-gemini-signature"]

    /// Authenticates a WebSocket API upgrade from its headers (`header` looks a header up
    /// by lower-case name). No `X-GEMINI-*` header at all means a public connection (nil).
    ///
    /// Checks, in the order a client can fix them: all four headers; no OAuth bearer (not
    /// simulated); the key exists, is account-scoped (`account-…`) and time-based; the nonce
    /// is ten decimal digits; the payload is base64 of the nonce text; the signature is the
    /// lower-case hex HMAC-SHA384 of the payload under the secret; the nonce is within the
    /// window and above the key's mark, which REST nonces share (`NonceValidator`). Only a
    /// fully valid upgrade records its nonce. Every failure is a 401 naming the reason.
    mutating func authenticateWebSocketAPI(header: (String) -> String?, nowMilliseconds: Int64)
        -> Result<(key: SimAPIKeyConfig, account: String)?, WSAPIUpgradeRefusal> {
        let present = Self.webSocketAPIHeaders.filter { header($0) != nil }
        if let bearer = header("authorization"), bearer.lowercased().hasPrefix("bearer") {
            return .failure(.unauthorized("UnsupportedAuthentication",
                                          "OAuth bearer tokens are not simulated; sign the upgrade with an account-scoped API key instead"))
        }
        if present.isEmpty { return .success(nil) }
        guard present.count == Self.webSocketAPIHeaders.count,
              let apiKey = header("x-gemini-apikey"), let nonceText = header("x-gemini-nonce"),
              let payload = header("x-gemini-payload"), let signature = header("x-gemini-signature") else {
            let missing = Self.webSocketAPIHeaders.filter { header($0) == nil }.map { $0.uppercased() }
            return .failure(.unauthorized("MissingHeader",
                                          "An authenticated upgrade needs all four X-GEMINI-* headers; missing \(missing.joined(separator: ", "))"))
        }
        guard let entry = key(named: apiKey) else {
            return .failure(.unauthorized("InvalidApiKey", "API key '\(apiKey)' does not exist"))
        }
        guard apiKey.hasPrefix("account-") else {
            return .failure(.unauthorized("InvalidKeyType",
                                          "Only account-scoped keys (account-…) may use the WebSocket API; master or group keys are refused"))
        }
        guard entry.key.nonceMode == .time else {
            return .failure(.unauthorized("TimeBasedNonceRequired",
                                          "API key '\(apiKey)' does not use a time-based nonce, which the WebSocket API requires"))
        }
        let digits = Array(nonceText.utf8)
        guard digits.count == 10, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let seconds = Int64(nonceText) else {
            return .failure(.unauthorized("InvalidNonce", "X-GEMINI-NONCE must be the Unix time in seconds, ten decimal digits; got '\(nonceText)'"))
        }
        guard payload == Data(nonceText.utf8).base64EncodedString() else {
            return .failure(.unauthorized("InvalidPayload", "X-GEMINI-PAYLOAD must be the base64 of the nonce text '\(nonceText)'"))
        }
        let expected = HMACSHA384.hexDigest(key: Array(entry.key.secret.utf8), message: Array(payload.utf8))
        guard Self.constantTimeEqual(expected, signature) else {
            return .failure(.unauthorized("InvalidSignature",
                                          "X-GEMINI-SIGNATURE must be the lower-case hex HMAC-SHA384 of X-GEMINI-PAYLOAD under the key's secret"))
        }
        if let problem = nonces.acceptWebSocketAPI(seconds: seconds, key: apiKey, nowMilliseconds: nowMilliseconds) {
            return .failure(.unauthorized("InvalidNonce", problem))
        }
        return .success((entry.key, entry.account))
    }
}
