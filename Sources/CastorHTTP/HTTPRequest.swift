/// One HTTP request as the caller wants it sent.
///
/// The client adds only what HTTP requires: `Host`, `Content-Length` (always sent for
/// POST, `0` for an empty body, as Gemini's private API expects) and its `User-Agent`.
/// A caller-supplied `Content-Length` is ignored (the body decides it); libcurl's
/// implicit `Expect: 100-continue` and form `Content-Type` are suppressed so what the
/// caller lists is what the server sees.
public struct HTTPRequest: Sendable {
    /// The methods Castor needs; anything else is deliberately unsupported.
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case delete = "DELETE"
    }

    public var method: Method
    /// Absolute `https://` URL, or `http://` to a loopback host only.
    public var url: String
    /// Sent in order; names and values must not contain CR or LF.
    public var headers: [(name: String, value: String)]
    /// May be empty. A GET must have an empty body.
    public var body: [UInt8]
    /// Deadline for the whole exchange (connect, send, receive); nil = client default.
    public var timeout: Duration?
    /// Deadline for establishing the connection (TCP + TLS); nil = client default.
    public var connectTimeout: Duration?
    /// Whether sending this request twice is harmless.
    ///
    /// libcurl silently resends a request when a reused keep-alive connection dies before
    /// any response byte arrives. For a non-idempotent request (an order) that resend could
    /// place the order twice, so the client aborts it instead and reports
    /// `HTTPError.connectionLost(requestMayHaveBeenSent: true, …)`: the caller must look
    /// the order up before retrying. Defaults to true for GET only.
    public var isIdempotent: Bool

    public init(
        method: Method,
        url: String,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        timeout: Duration? = nil,
        connectTimeout: Duration? = nil,
        isIdempotent: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.isIdempotent = isIdempotent ?? (method == .get)
    }
}
