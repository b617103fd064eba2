import COpenSSL

/// SHA-1, needed only for the WebSocket handshake (`Sec-WebSocket-Accept`), where
/// RFC 6455 mandates it; never use it for anything security-relevant.
public enum SHA1 {
    /// Length of a SHA-1 digest in bytes.
    public static let digestLength = 20

    /// The 20-byte SHA-1 digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digestLength)
        bytes.withUnsafeBufferPointer { input in
            // SHA1() cannot fail for in-memory input; it returns its output pointer.
            _ = COpenSSL.SHA1(input.baseAddress, input.count, &out)
        }
        return out
    }
}
