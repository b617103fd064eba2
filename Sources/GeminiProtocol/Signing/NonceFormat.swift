/// How a `Nonce` is written into the signed payload.
///
/// The choice is per API key and must not change over a key's life: Gemini compares each
/// nonce with the previous one numerically, and switching e.g. from milliseconds to seconds
/// makes every later nonce smaller, so the key is rejected until it is replaced (API.md §2.3).
public enum NonceFormat: Sendable, Hashable, CaseIterable {
    /// JSON string of seconds with a millisecond fraction, e.g. `"1712045678.123"`.
    ///
    /// The default: accepted by time-based keys (seconds, ±30 s of server time) and by
    /// counter keys, and still allows up to 1000 requests per second.
    case secondsWithMillis
    /// JSON number of milliseconds, e.g. `1712045678123`. Counter keys only: time-based keys
    /// reject it as "not within 30 seconds".
    case milliseconds
    /// JSON number of whole seconds, e.g. `1712045678`. At most one request per second;
    /// a `NonceSource` with this format steps by 1000 ms so each value is still distinct.
    case seconds

    /// The smallest step, in milliseconds, that changes the written value.
    public var granularityMilliseconds: Int64 {
        switch self {
        case .secondsWithMillis, .milliseconds: 1
        case .seconds: 1_000
        }
    }
}
