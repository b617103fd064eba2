import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`).
public enum SecureRandom {
    /// Overwrites every byte of `buffer` with random bytes.
    ///
    /// Throws only if OpenSSL's generator is not seeded, which on Linux means the kernel
    /// entropy source is unavailable: the process cannot run safely and should stop.
    public static func fill(_ buffer: inout [UInt8]) throws(TLSError) {
        let count = buffer.count
        if count == 0 { return }
        try buffer.withUnsafeMutableBufferPointer { (raw) throws(TLSError) in
            try OpenSSLError.check("RAND_bytes") { RAND_bytes(raw.baseAddress, Int32(count)) }
        }
    }

    /// `count` fresh random bytes.
    public static func bytes(count: Int) throws(TLSError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        try fill(&buffer)
        return buffer
    }
}
