/// Which metadata keys carry secrets and must never reach a log line.
///
/// Matching is on the lowercased key and by suffix, so `api_secret`, `apiSecret`,
/// `X-GEMINI-SIGNATURE` and `session_token` are all caught; a false positive only costs a
/// `<redacted>` value, a false negative leaks a key. Applied at every level, because debug
/// logs are exactly where request payloads end up.
public enum LogRedaction {
    /// The value written instead of a secret.
    public static let placeholder = "<redacted>"

    /// Key names (and suffixes) that are always redacted.
    public static let secretNames = ["secret", "signature", "payload", "password", "token", "authorization"]

    /// Whether a metadata value under `key` must be redacted.
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return secretNames.contains { lowered.hasSuffix($0) }
    }
}
