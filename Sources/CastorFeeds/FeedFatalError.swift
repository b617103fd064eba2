/// A feed problem that reconnecting cannot fix: the feed stops and stays stopped until the
/// configuration is corrected. Surfaced to the engine as `FeedConnectionState.failed`.
public enum FeedFatalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The upgrade was refused with 400/401/403 for a reason other than the nonce: bad key,
    /// bad signature, missing role (Trader or Auditor). Reconnecting would only repeat it.
    case authenticationRejected(status: Int, body: String)
    /// The configured URL is not a usable WebSocket URL.
    case invalidURL(String)
    /// No nonce could be drawn (the nonce mark could not be persisted).
    case nonceUnavailable(String)

    public var description: String {
        switch self {
        case .authenticationRejected(let status, let body):
            "order events handshake rejected with HTTP \(status): \(body); check the API key, secret and its role (Trader or Auditor)"
        case .invalidURL(let why): "invalid feed URL: \(why)"
        case .nonceUnavailable(let why): "no nonce for the order events handshake: \(why)"
        }
    }
}
