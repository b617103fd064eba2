import CastorHTTP
import GeminiProtocol

/// Why a Gemini REST call produced no result, whether the exchange may have acted on it,
/// and what to do about it.
///
/// The one question an order manager must answer after any failure is `mayHaveExecuted`:
/// when true, look the order up by `client_order_id` before resending anything
/// (API.md §8.2); when false, the exchange certainly did not act on the request.
public enum GeminiClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No HTTP response: connect, TLS, timeout, connection lost, …. `HTTPError` says
    /// whether any byte may have reached the server.
    case transport(HTTPError)
    /// Gemini answered with an error: a JSON error body, or an outage page classified as
    /// `Maintenance`/`System`, or an unrecognised page as reason `HTTP<status>`.
    case exchange(status: Int, body: GeminiErrorBody)
    /// A success response whose body did not match the expected type. `endpoint` is the
    /// path; the request was answered, so it may have executed.
    case decoding(endpoint: String, GeminiDecodingError)
    /// The key's sender refused the request without signing or sending it: another signed
    /// request of the key was in flight (the caller's queue must send one at a time), or
    /// the sender was retired.
    case unsent(endpoint: String, SenderRefusal)
    /// Refused before sending: the request itself is wrong (bad client order id, bad
    /// symbol, no API key configured). Fix the caller.
    case invalidRequest(String)
    /// The key's nonce source could not issue a nonce (its high-water mark could not be
    /// persisted); nothing was sent. Fix the disk problem it names.
    case nonce(NonceSourceError)

    /// True when the exchange may have received and executed the request: reconcile
    /// (e.g. `orderStatus(clientOrderID:)`) before retrying a non-idempotent call.
    ///
    /// Transport errors follow `HTTPError.requestMayHaveBeenSent`; 5xx answers may come
    /// from a gateway after the matching engine acted; 4xx answers (including 429) are
    /// definite refusals; an undecodable 2xx body was an execution.
    public var mayHaveExecuted: Bool {
        switch self {
        case .transport(let error): error.requestMayHaveBeenSent
        case .exchange(let status, _): status >= 500
        case .decoding: true
        case .unsent, .invalidRequest, .nonce: false
        }
    }

    /// What to do, in the vocabulary of `GeminiErrorClassification` (API.md §4.3).
    ///
    /// Exchange errors are classified by reason, then status. Local and transport errors:
    /// a rejected URL, plain http to a remote host or a certificate that does not verify is
    /// `.fatalConfiguration`; other transport failures and undecodable bodies are
    /// `.retryIdempotentOnly` (check `mayHaveExecuted` before anything else); a request the
    /// sender refused is `.backOff` (the slot frees once the request in flight is
    /// answered); an invalid
    /// request is `.reject`; a nonce-source failure is `.fatalConfiguration`.
    public var classification: GeminiErrorClassification {
        switch self {
        case .exchange(let status, let body):
            return body.classification(httpStatus: status)
        case .transport(let error):
            switch error {
            case .invalidURL, .invalidRequest, .plaintextToNonLoopback,
                 .tlsFailure(.certificateVerification, _), .tlsFailure(.localConfiguration, _):
                return .fatalConfiguration
            default:
                return .retryIdempotentOnly
            }
        case .decoding: return .retryIdempotentOnly
        case .unsent: return .backOff
        case .invalidRequest: return .reject
        case .nonce: return .fatalConfiguration
        }
    }

    /// The exchange's reason code, when Gemini answered with one.
    public var reason: GeminiReason? {
        if case .exchange(_, let body) = self { return body.reason }
        return nil
    }

    public var description: String {
        let executed = mayHaveExecuted
            ? " (may have executed: reconcile before retrying)" : " (not executed)"
        switch self {
        case .transport(let error): return "Gemini transport error: \(error)"
        case .exchange(let status, let body):
            return "Gemini HTTP \(status) \(body) [\(classification.rawValue)]" + executed
        case .decoding(let endpoint, let error): return "undecodable response from \(endpoint): \(error)" + executed
        case .unsent(let endpoint, let why): return "\(endpoint) not sent: \(why)" + executed
        case .invalidRequest(let why): return "invalid Gemini request: \(why)" + executed
        case .nonce(let error): return "no nonce could be issued: \(error)" + executed
        }
    }
}

/// Why `PrivateRequestSender` refused a request unsigned.
public enum SenderRefusal: Sendable, Hashable, CustomStringConvertible {
    /// Another signed request of the key was in flight.
    case busy
    /// The sender was retired; it never signs again.
    case retired

    public var description: String {
        switch self {
        case .busy: "another signed request of this key is in flight (send one at a time)"
        case .retired: "the key's sender is retired"
        }
    }
}
