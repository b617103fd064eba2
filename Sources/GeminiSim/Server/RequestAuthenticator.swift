import CastorSSL
import Foundation

/// A private request whose headers, signature and nonce checked out.
struct AuthenticatedRequest: Sendable {
    let key: SimAPIKeyConfig
    let accountName: String
    /// The decoded `X-GEMINI-PAYLOAD` object (never the HTTP body: the header is what is signed).
    let payload: GeminiJSON
}

/// Verifies Gemini's private-request authentication (API.md §2): the three `X-GEMINI-*`
/// headers, the HMAC-SHA384 of the base64 payload text under the key's secret, the payload's
/// `request` against the URL path, and the key's nonce rule.
///
/// Checks run in the order a client can fix them: headers, key, signature, JSON, endpoint,
/// nonce. Not thread-safe (nonce state): confined to `SimulatorCore`.
struct RequestAuthenticator: Sendable {
    private var keys: [String: (key: SimAPIKeyConfig, account: String)]
    /// The keys' nonce state, shared with the WebSocket API upgrade (`RequestAuthenticator+WSAPI`).
    var nonces: NonceValidator

    init(accounts: [SimAccountConfig], nonceWindowSeconds: Int64) {
        var keys: [String: (key: SimAPIKeyConfig, account: String)] = [:]
        for account in accounts {
            for key in account.keys { keys[key.key] = (key, account.name) }
        }
        self.keys = keys
        nonces = NonceValidator(windowSeconds: nonceWindowSeconds)
    }

    /// Registers the keys of an account added at run time.
    mutating func add(account: SimAccountConfig) {
        for key in account.keys { keys[key.key] = (key, account.name) }
    }

    /// The configured key named `name`, if any.
    func key(named name: String) -> (key: SimAPIKeyConfig, account: String)? { keys[name] }

    /// Authenticates a request to `path`; `header` looks up a header case-insensitively.
    mutating func authenticate(path: String, header: (String) -> String?,
                               nowMilliseconds: Int64) -> Result<AuthenticatedRequest, GeminiErrorReply> {
        guard let apiKey = header("X-GEMINI-APIKEY"), !apiKey.isEmpty else {
            return .failure(.missingHeader("MissingApikeyHeader", "X-GEMINI-APIKEY"))
        }
        guard let payloadBase64 = header("X-GEMINI-PAYLOAD"), !payloadBase64.isEmpty else {
            return .failure(.missingHeader("MissingPayloadHeader", "X-GEMINI-PAYLOAD"))
        }
        guard let signature = header("X-GEMINI-SIGNATURE"), !signature.isEmpty else {
            return .failure(.missingHeader("MissingSignatureHeader", "X-GEMINI-SIGNATURE"))
        }
        guard let entry = keys[apiKey] else { return .failure(.invalidApiKey(apiKey)) }
        let expected = HMACSHA384.hexDigest(key: Array(entry.key.secret.utf8), message: Array(payloadBase64.utf8))
        guard Self.constantTimeEqual(expected, signature.lowercased()) else { return .failure(.invalidSignature()) }
        guard let json = Data(base64Encoded: payloadBase64) else {
            return .failure(.invalidJSON("X-GEMINI-PAYLOAD is not base64"))
        }
        let payload: GeminiJSON
        do { payload = try JSONParser.parse(json) } catch { return .failure(.invalidJSON(error.description)) }
        guard case .object = payload else { return .failure(.invalidJSON("the payload must be a JSON object")) }
        guard let request = payload["request"]?.stringValue, !request.isEmpty else {
            return .failure(GeminiErrorReply(status: 400, reason: "EndpointNotFound",
                                             message: "The payload must contain 'request' with the endpoint path"))
        }
        guard request == path else { return .failure(.endpointMismatch(payload: request, path: path)) }
        if let problem = nonces.accept(nonceText: payload["nonce"]?.numberOrStringText, key: apiKey,
                                       mode: entry.key.nonceMode, nowMilliseconds: nowMilliseconds) {
            return .failure(problem)
        }
        return .success(AuthenticatedRequest(key: entry.key, accountName: entry.account, payload: payload))
    }

    /// Compares without an early exit so timing does not reveal how many leading hex digits
    /// of a forged signature were right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
