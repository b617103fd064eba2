import CastorSSL

/// Limits and TLS settings of one WebSocket connection.
public struct WebSocketOptions: Sendable {
    /// Seconds allowed for name resolution plus TCP connect.
    public var connectTimeout: Double
    /// Seconds allowed for TLS plus the HTTP upgrade, counted after TCP connect.
    public var handshakeTimeout: Double
    /// Seconds to wait for the server's close frame after we sent ours.
    public var closeTimeout: Double
    /// Largest accepted message (after reassembly); larger ones close with 1009.
    public var maxMessageSize: Int
    /// Largest accepted HTTP upgrade response header block.
    public var maxHandshakeHeaderSize: Int
    /// TLS settings for wss://; `nil` builds a default context (system CAs) per connection.
    public var tlsContext: TLSClientContext?

    public init(connectTimeout: Double = 10, handshakeTimeout: Double = 10, closeTimeout: Double = 5,
                maxMessageSize: Int = 16 << 20, maxHandshakeHeaderSize: Int = 16 << 10,
                tlsContext: TLSClientContext? = nil) {
        self.connectTimeout = connectTimeout
        self.handshakeTimeout = handshakeTimeout
        self.closeTimeout = closeTimeout
        self.maxMessageSize = maxMessageSize
        self.maxHandshakeHeaderSize = maxHandshakeHeaderSize
        self.tlsContext = tlsContext
    }
}
