import COpenSSL
import Dispatch
import Glibc

/// One TLS client connection (one `SSL*`) over an already connected, non-blocking socket.
///
/// The session never blocks: each operation reports whether it needs the socket to become
/// readable or writable before it can make progress, and the caller's Dispatch sources
/// call it again. It does not own the file descriptor; the caller closes it.
///
/// Invariant: every method runs on `queue` (checked with `dispatchPrecondition`), because
/// OpenSSL's per-thread error queue must be read right after each call on the same thread
/// and an `SSL*` is not thread-safe. Hence `@unchecked Sendable`.
public final class TLSClientSession: @unchecked Sendable {
    /// Progress of `handshake()`.
    public enum HandshakeResult: Equatable, Sendable { case done, wantRead, wantWrite }
    /// Outcome of `read(into:)`.
    public enum ReadResult: Equatable, Sendable {
        /// `n` bytes were stored at the start of the buffer.
        case bytes(Int)
        /// Nothing buffered; call again when the socket is readable.
        case wantRead
        /// OpenSSL must write first (renegotiation, key update); call again when writable.
        case wantWrite
        /// The peer sent close_notify: no more data will come.
        case closed
    }
    /// Outcome of `write(_:)`.
    public enum WriteResult: Equatable, Sendable {
        /// `n` bytes were accepted (possibly fewer than offered: partial writes are on).
        case wrote(Int)
        case wantRead
        case wantWrite
    }

    private let ssl: OpaquePointer
    private let queue: DispatchQueue
    private let context: TLSClientContext

    /// Prepares a session on `fileDescriptor` that sends `serverName` as SNI and accepts
    /// only a certificate valid for it (a DNS name, or an IP literal matched against the
    /// certificate's IP SANs).
    public init(context: TLSClientContext, fileDescriptor: Int32, serverName: String,
                queue: DispatchQueue) throws(TLSError) {
        dispatchPrecondition(condition: .onQueue(queue))
        self.context = context
        self.queue = queue
        ERR_clear_error()
        guard let ssl = SSL_new(context.handle) else {
            throw .callFailed(call: "SSL_new", reason: OpenSSLError.drainQueue())
        }
        self.ssl = ssl
        try OpenSSLError.check("SSL_set_fd") { SSL_set_fd(ssl, fileDescriptor) }
        if Self.isIPLiteral(serverName) {
            // SNI must not carry IP addresses (RFC 6066), and SSL_set1_host matches DNS names only.
            try OpenSSLError.check("X509_VERIFY_PARAM_set1_ip_asc") {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName)
            }
        } else {
            try OpenSSLError.check("SSL_set_tlsext_host_name") { castor_SSL_set_tlsext_host_name(ssl, serverName) }
            try OpenSSLError.check("SSL_set1_host") { SSL_set1_host(ssl, serverName) }
        }
    }

    deinit { SSL_free(ssl) }

    /// Advances the TLS handshake; throws `certificateVerificationFailed` when the server
    /// is not who it claims to be.
    public func handshake() throws(TLSError) -> HandshakeResult {
        dispatchPrecondition(condition: .onQueue(queue))
        ERR_clear_error()
        let rc = SSL_connect(ssl)
        if rc == 1 { return .done }
        let code = SSL_get_error(ssl, rc)
        let err = errno
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        default:
            let verify = SSL_get_verify_result(ssl)
            if verify != Int(X509_V_OK) {
                _ = OpenSSLError.drainQueue()
                let reason = String(cString: X509_verify_cert_error_string(verify))
                throw .certificateVerificationFailed(reason: reason, code: verify)
            }
            throw failure(call: "SSL_connect", code: code, errno: err)
        }
    }

    /// Reads decrypted bytes into the start of `buffer` (up to `buffer.count`).
    ///
    /// OpenSSL may hold decrypted bytes that the socket no longer signals, so callers
    /// must keep calling until `.wantRead` before waiting on a read source again.
    public func read(into buffer: inout [UInt8]) throws(TLSError) -> ReadResult {
        dispatchPrecondition(condition: .onQueue(queue))
        let capacity = Int32(clamping: buffer.count)
        ERR_clear_error()
        let rc = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, capacity) }
        if rc > 0 { return .bytes(Int(rc)) }
        let code = SSL_get_error(ssl, rc)
        let err = errno
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        default: throw failure(call: "SSL_read", code: code, errno: err)
        }
    }

    /// Encrypts and sends a prefix of `bytes`; retry the rest after `.wantWrite`.
    public func write(_ bytes: ArraySlice<UInt8>) throws(TLSError) -> WriteResult {
        dispatchPrecondition(condition: .onQueue(queue))
        if bytes.isEmpty { return .wrote(0) }
        let count = Int32(clamping: bytes.count)
        ERR_clear_error()
        let rc = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, count) }
        if rc > 0 { return .wrote(Int(rc)) }
        let code = SSL_get_error(ssl, rc)
        let err = errno
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        default: throw failure(call: "SSL_write", code: code, errno: err)
        }
    }

    /// Sends close_notify once, without waiting for the peer's reply (the socket is about
    /// to be closed; TLS 1.2+ does not require the reply).
    public func shutdown() {
        dispatchPrecondition(condition: .onQueue(queue))
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    private func failure(call: String, code: Int32, errno err: Int32) -> TLSError {
        let reason = OpenSSLError.drainQueue()
        if code == SSL_ERROR_SYSCALL && err != 0 {
            return .systemError(call: call, errno: err, message: String(cString: strerror(err)))
        }
        if code == SSL_ERROR_SYSCALL || reason.contains("unexpected eof") {
            return .unexpectedEOF(call: call)
        }
        return .callFailed(call: call, reason: reason)
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
