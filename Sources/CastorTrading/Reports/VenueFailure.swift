import CastorCore

/// How a request to the venue failed, as the transport and decoder saw it.
public enum VenueFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The venue answered with a refusal (or a classified outage page).
    case exchange(VenueRefusal, httpStatus: Int?)
    /// A non-2xx answer without a recognisable body.
    case http(status: Int)
    /// No answer in time: the request may or may not have reached the exchange.
    case timeout
    /// The connection broke after the request may have been written.
    case network(String)
    /// Failed before a byte was written (DNS, connection refused): certainly not received.
    case notSent(String)

    /// What to do about it, when the venue answered.
    public var classification: FailureClass? {
        switch self {
        case .exchange(let refusal, _): refusal.classification
        case .http(let status): FailureClass(httpStatus: status)
        case .timeout, .network, .notSent: nil
        }
    }

    /// The reason code, when there is one.
    public var reason: VenueReason? {
        if case .exchange(let refusal, _) = self { return refusal.reason }
        return nil
    }

    /// Whether a request with side effects may have taken effect despite this failure.
    /// Only an authentication refusal or a request never written is certain not to have;
    /// everything else (including a 4xx rejection, see §8.2: an order was found on the
    /// exchange after a 406) is treated as possibly executed.
    public var mayHaveExecuted: Bool {
        switch self {
        case .notSent: false
        case .exchange, .http: classification != .fatalConfiguration
        case .timeout, .network: true
        }
    }

    /// A short, stable code for logs and metrics: the venue's reason code when it gave one
    /// (`InsufficientFunds`), else `http_<status>`, `timeout`, `network` or `not_sent`.
    public var code: String {
        switch self {
        case .exchange(_, let status):
            if let reason { return reason.rawValue }
            return status.map { "http_\($0)" } ?? "refused"
        case .http(let status): return "http_\(status)"
        case .timeout: return "timeout"
        case .network: return "network"
        case .notSent: return "not_sent"
        }
    }

    public var description: String {
        switch self {
        case .exchange(let refusal, let status): "\(status.map { "HTTP \($0) " } ?? "")\(refusal)"
        case .http(let status): "HTTP \(status)"
        case .timeout: "timeout"
        case .network(let text): "network error: \(text)"
        case .notSent(let text): "not sent: \(text)"
        }
    }
}
