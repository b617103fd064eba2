/// A venue's answer that refused a request: its reason code, what a client should do about
/// it, and the text to log. The venue layer classifies its own error bodies (Gemini's
/// reason table, §4.3) into `FailureClass`; trading logic reads only that.
public struct VenueRefusal: Sendable, Hashable, CustomStringConvertible {
    public let reason: VenueReason?
    public let classification: FailureClass
    /// The refusal as the venue worded it (`reason: message`).
    public let message: String

    public init(reason: VenueReason?, classification: FailureClass, message: String) {
        self.reason = reason
        self.classification = classification
        self.message = message
    }

    public var description: String { message }
}

/// What a client should do about a failed request.
public enum FailureClass: String, Sendable, Hashable, CaseIterable {
    /// The nonce was rejected: regenerate a nonce and retry once.
    case retryWithNewNonce
    /// Keys, signature, roles or account setup are wrong: stop and fix configuration;
    /// retrying cannot help.
    case fatalConfiguration
    /// The order does not exist (or not for this key).
    case orderNotFound
    /// This request was refused on its merits (funds, price, quantity, options, market
    /// closed): do not resend it unchanged.
    case reject
    /// Rate limited: slow down, then retry.
    case backOff
    /// Server trouble: retry with backoff, but only requests that are safe to repeat
    /// (reads, cancels); never blindly resend an order placement.
    case retryIdempotentOnly
    /// The venue is in maintenance: stop trading until it is back.
    case halt

    /// The class of an answer with this HTTP status and no usable body.
    public init(httpStatus: Int?) {
        switch httpStatus {
        case 401, 403: self = .fatalConfiguration
        case 404: self = .orderNotFound
        case 429: self = .backOff
        case 503: self = .halt
        case .some(let status) where status >= 500: self = .retryIdempotentOnly
        default: self = .reject
        }
    }
}
