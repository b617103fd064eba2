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
    private static let secretNameBytes: [[UInt8]] = secretNames.map { Array($0.utf8) }

    /// Whether a metadata value under `key` must be redacted.
    public static func isSecret(_ key: String) -> Bool {
        // Every line asks this of each of its keys: an ASCII key (all of Castor's) is matched
        // byte by byte, without building its lowercased copy. Any other key takes Unicode
        // lowercasing, which can map a non-ASCII letter (the Kelvin sign) to an ASCII one.
        let ascii: Bool? = key.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return false }
            return true
        }
        guard ascii == true else {
            let lowered = key.lowercased()
            return secretNames.contains { lowered.hasSuffix($0) }
        }
        return key.utf8.withContiguousStorageIfAvailable { bytes in
            secretNameBytes.contains { name in
                guard bytes.count >= name.count else { return false }
                let start = bytes.count - name.count
                for i in 0..<name.count {
                    var b = bytes[start + i]
                    if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b |= 0x20 }
                    if b != name[i] { return false }
                }
                return true
            }
        } ?? false
    }
}
