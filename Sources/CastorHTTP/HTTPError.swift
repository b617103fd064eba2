/// Why a request produced no response, and whether the server may have seen it.
///
/// `requestMayHaveBeenSent` is what an order manager acts on: when false, no byte of the
/// request left this process, so resending cannot duplicate anything. When true, the
/// server may have received and executed it: look the order up (by client order id)
/// before retrying, never resend blindly.
public enum HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed during a TLS handshake.
    public enum TLSFailure: Sendable, Equatable {
        /// The server's certificate chain or name did not verify. Never retry blindly:
        /// a wrong CA configuration or an interception. Fix the configuration.
        case certificateVerification
        /// The handshake failed for another reason (protocol, cipher, peer alert).
        case handshake
        /// Our own TLS configuration is unusable (CA file unreadable, bad client cert).
        case localConfiguration
    }

    /// Unparsable URL or a scheme other than http/https. A caller bug: do not retry.
    case invalidURL(String)
    /// Malformed request (a GET with a body, CR/LF in a header). A caller bug: do not retry.
    case invalidRequest(String)
    /// `http://` to a host that is not loopback; refused before resolving or sending.
    /// Use https.
    case plaintextToNonLoopback(host: String)
    /// Name resolution failed; nothing was sent. Retry later; check DNS if it persists.
    case dnsFailure(detail: String)
    /// TCP connect refused, unreachable or timed out; nothing was sent. Safe to retry
    /// with back-off.
    case connectFailed(detail: String)
    /// TLS handshake failed; nothing was sent.
    case tlsFailure(TLSFailure, detail: String)
    /// The request's deadline passed. If the request may have been sent, reconcile first.
    case timedOut(requestMayHaveBeenSent: Bool, detail: String)
    /// The connection was closed or reset before a complete response arrived (including
    /// a resend libcurl wanted to make that was suppressed for a non-idempotent request).
    case connectionLost(requestMayHaveBeenSent: Bool, detail: String)
    /// The server's reply was not valid HTTP (or HTTP/2 framing failed).
    case protocolError(requestMayHaveBeenSent: Bool, detail: String)
    /// The response body exceeded `HTTPClient.Options.maxResponseBytes`; the request was
    /// answered, so it was sent.
    case responseTooLarge(limit: Int)
    /// The caller cancelled the request.
    case cancelled(requestMayHaveBeenSent: Bool)
    /// The client was shut down while the request was in flight.
    case clientClosed(requestMayHaveBeenSent: Bool)
    /// An unexpected libcurl failure; `call` names the function, `code` its status.
    case internalFailure(call: String, code: Int, detail: String, requestMayHaveBeenSent: Bool)

    /// False only when it is known that no byte of the request left this process.
    public var requestMayHaveBeenSent: Bool {
        switch self {
        case .invalidURL, .invalidRequest, .plaintextToNonLoopback, .dnsFailure,
             .connectFailed, .tlsFailure:
            return false
        case .responseTooLarge:
            return true
        case .timedOut(let sent, _), .connectionLost(let sent, _), .protocolError(let sent, _),
             .cancelled(let sent), .clientClosed(let sent),
             .internalFailure(_, _, _, let sent):
            return sent
        }
    }

    public var description: String {
        let sent = requestMayHaveBeenSent
            ? " (request may have been sent: reconcile before retrying)"
            : " (request not sent)"
        switch self {
        case .invalidURL(let d): return "invalid URL: \(d)" + sent
        case .invalidRequest(let d): return "invalid request: \(d)" + sent
        case .plaintextToNonLoopback(let host):
            return "plain http:// refused for non-loopback host \(host); use https" + sent
        case .dnsFailure(let d): return "DNS resolution failed: \(d)" + sent
        case .connectFailed(let d): return "connect failed: \(d)" + sent
        case .tlsFailure(let kind, let d): return "TLS failure (\(kind)): \(d)" + sent
        case .timedOut(_, let d): return "timed out: \(d)" + sent
        case .connectionLost(_, let d): return "connection lost: \(d)" + sent
        case .protocolError(_, let d): return "protocol error: \(d)" + sent
        case .responseTooLarge(let limit): return "response body larger than \(limit) bytes" + sent
        case .cancelled: return "cancelled" + sent
        case .clientClosed: return "HTTP client closed" + sent
        case .internalFailure(let call, let code, let d, _):
            return "\(call) failed with \(code): \(d)" + sent
        }
    }
}
