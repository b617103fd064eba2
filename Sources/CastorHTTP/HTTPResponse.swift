/// A complete HTTP response. Any status, including 30x, 4xx and 5xx, is a response, not
/// an error: the caller decides what a 429 or a Gemini error body means.
public struct HTTPResponse: Sendable {
    /// How the exchange went on the wire; cheap figures libcurl already keeps.
    public struct Metrics: Sendable {
        /// True when no new connection was opened for this request (keep-alive reuse or
        /// an HTTP/2 stream on an existing connection): no TCP or TLS handshake was paid.
        public var connectionReused: Bool
        /// "1.1", "2", … as negotiated.
        public var httpVersion: String
        /// From start to the last byte, in microseconds.
        public var totalMicroseconds: Int
    }

    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var metrics: Metrics

    public init(status: Int, headers: HTTPHeaders, body: [UInt8], metrics: Metrics) {
        self.status = status
        self.headers = headers
        self.body = body
        self.metrics = metrics
    }
}
