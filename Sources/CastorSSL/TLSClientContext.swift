import COpenSSL

/// Client-side TLS configuration shared by many connections (one `SSL_CTX`).
///
/// Verifies the peer against the system CA store (plus an optional extra CA file),
/// refuses anything older than TLS 1.2, and lets sessions use moving buffers and
/// partial writes, which non-blocking I/O from Swift arrays needs.
///
/// Thread safety: the `SSL_CTX` is fully configured in `init` and never mutated
/// afterwards; OpenSSL allows creating `SSL` objects from it on any thread concurrently,
/// hence `@unchecked Sendable`.
public final class TLSClientContext: @unchecked Sendable {
    let handle: OpaquePointer

    /// Creates a context that trusts the system CAs and, if given, the PEM certificates in
    /// `additionalTrustedCAFile` (a test CA or a private deployment's CA).
    public init(additionalTrustedCAFile: String? = nil) throws(TLSError) {
        OpenSSLLibrary.initialize()
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw .callFailed(call: "SSL_CTX_new", reason: OpenSSLError.drainQueue())
        }
        handle = ctx
        // Peer verification is off by default in OpenSSL; a client without it talks to
        // anyone who answers.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        try OpenSSLError.check("SSL_CTX_set_default_verify_paths") { SSL_CTX_set_default_verify_paths(ctx) }
        try OpenSSLError.check("SSL_CTX_set_min_proto_version") {
            castor_SSL_CTX_set_min_proto_version(ctx, castor_TLS1_2_VERSION())
        }
        _ = castor_SSL_CTX_set_mode(
            ctx, castor_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER() | castor_SSL_MODE_ENABLE_PARTIAL_WRITE())
        if let path = additionalTrustedCAFile {
            ERR_clear_error()
            if SSL_CTX_load_verify_locations(ctx, path, nil) != 1 {
                throw .trustStoreUnreadable(path: path, reason: OpenSSLError.drainQueue())
            }
        }
    }

    deinit { SSL_CTX_free(handle) }
}
