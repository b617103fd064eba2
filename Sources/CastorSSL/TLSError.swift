import COpenSSL

/// A failure in OpenSSL: which call failed and OpenSSL's own explanation.
///
/// Every case names the failing call so that a log line alone tells an operator where
/// to look; the description adds what to do about it.
public enum TLSError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An OpenSSL call failed; `reason` is OpenSSL's error queue rendered as text.
    case callFailed(call: String, reason: String)
    /// The server's certificate chain or name did not verify. `reason` is
    /// `X509_verify_cert_error_string` (e.g. "unable to get local issuer certificate",
    /// "hostname mismatch").
    case certificateVerificationFailed(reason: String, code: Int)
    /// The peer closed the TCP connection in the middle of the TLS exchange.
    case unexpectedEOF(call: String)
    /// A system call beneath OpenSSL failed (`SSL_ERROR_SYSCALL`).
    case systemError(call: String, errno: Int32, message: String)
    /// A file given as trust anchors could not be loaded.
    case trustStoreUnreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .callFailed(call, reason):
            return "TLS: \(call) failed: \(reason); check the OpenSSL installation and the peer's TLS settings"
        case let .certificateVerificationFailed(reason, code):
            return "TLS: server certificate rejected (\(reason), X509 code \(code)); "
                + "check the host name and the system CA store, or pass the issuing CA as additionalTrustedCAFile"
        case let .unexpectedEOF(call):
            return "TLS: peer closed the connection during \(call); the server or a middlebox dropped it, retry later"
        case let .systemError(call, errno, message):
            return "TLS: \(call) failed with errno \(errno) (\(message)); the connection is unusable, reconnect"
        case let .trustStoreUnreadable(path, reason):
            return "TLS: cannot load trusted CA file \(path): \(reason); fix the path or the PEM file"
        }
    }
}

/// The one place that turns OpenSSL's thread-local error queue into a `TLSError`.
enum OpenSSLError {
    /// Drains the error queue of the calling thread into one line. Must run on the same
    /// thread right after the failing call, because the queue is per thread.
    static func drainQueue() -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            parts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return parts.isEmpty ? "no OpenSSL error recorded" : parts.joined(separator: "; ")
    }

    /// Runs a C call that signals success with `1` (the common OpenSSL convention);
    /// clears the error queue first so that a failure reports only its own errors.
    static func check(_ call: String, _ body: () -> Int32) throws(TLSError) {
        ERR_clear_error()
        let result = body()
        if result != 1 {
            throw .callFailed(call: call, reason: drainQueue())
        }
    }
}
