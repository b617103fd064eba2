import COpenSSL

/// HMAC-SHA384 (RFC 2104 with SHA-384), as Gemini uses to sign private requests.
///
/// Uses OpenSSL's one-shot `HMAC(EVP_sha384(), …)`, for keys used once (the simulator's
/// checks, tests). A key that signs many messages should be an `HMACSHA384Key`.
/// Both key and message accept any `Collection<UInt8>` (`[UInt8]`, `ArraySlice`,
/// `UnsafeRawBufferPointer`, `String.UTF8View`, …); contiguous ones are hashed in place
/// without copying, so a secret held in a caller-owned buffer is not duplicated.
public enum HMACSHA384 {
    /// Length of the digest in bytes.
    public static let digestLength = 48

    /// The 48-byte HMAC-SHA384 of `message` under `key`.
    public static func digest(
        key: some Collection<UInt8>,
        message: some Collection<UInt8>
    ) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: digestLength)
        output.withUnsafeMutableBufferPointer { out in
            compute(key: key, message: message, into: out)
        }
        return output
    }

    /// The HMAC-SHA384 of `message` under `key` as 96 lower-case hex characters.
    public static func hexDigest(
        key: some Collection<UInt8>,
        message: some Collection<UInt8>
    ) -> String {
        // The digest lives in a 48-byte tuple on the stack; the only allocation is the string.
        var raw = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutableBytes(of: &raw) { rawBytes in
            let out = rawBytes.bindMemory(to: UInt8.self)
            compute(key: key, message: message, into: out)
            return hex(UnsafeBufferPointer(out))
        }
    }

    /// `bytes` as lower-case hex, written straight into the string's storage.
    static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { hex in
            var index = 0
            for byte in bytes {
                hex[index] = hexDigits[Int(byte >> 4)]
                hex[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    /// ASCII "0123456789abcdef"; a table lookup beats formatting each byte.
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func compute(
        key: some Collection<UInt8>,
        message: some Collection<UInt8>,
        into out: UnsafeMutableBufferPointer<UInt8>
    ) {
        OpenSSLLibrary.initialize()
        withContiguousBytes(key) { keyBytes in
            withContiguousBytes(message) { messageBytes in
                var length: UInt32 = 0
                let result = HMAC(
                    EVP_sha384(),
                    keyBytes.baseAddress, Int32(keyBytes.count),
                    messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                    out.baseAddress, &length
                )
                // HMAC only fails on allocation failure or an unavailable digest; neither is
                // recoverable by the caller, and a wrong signature would be sent otherwise.
                precondition(result != nil && Int(length) == digestLength,
                             "OpenSSL HMAC-SHA384 failed (out of memory or no SHA-384 provider)")
            }
        }
    }

    /// Runs `body` on the bytes of `bytes`, copying only when the collection is not contiguous
    /// (callers holding a secret should pass contiguous storage so no stray copy remains).
    /// An empty collection still gets a non-nil base address: OpenSSL 3 rejects a NULL key.
    static func withContiguousBytes<R>(
        _ bytes: some Collection<UInt8>,
        _ body: (UnsafeRawBufferPointer) -> R
    ) -> R {
        if bytes.isEmpty {
            var placeholder: UInt8 = 0
            return withUnsafeBytes(of: &placeholder) { body(UnsafeRawBufferPointer(rebasing: $0[0..<0])) }
        }
        if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        let copy = Array(bytes)
        return copy.withUnsafeBytes(body)
    }
}
