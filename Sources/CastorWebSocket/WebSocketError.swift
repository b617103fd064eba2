import CastorSSL

/// Why a WebSocket connection could not be made or ended abnormally.
///
/// Each case says what happened; `description` adds what to do about it.
public enum WebSocketError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The URL is not a usable ws:// or wss:// URL.
    case invalidURL(String, reason: String)
    /// `ws://` (no TLS) was requested for a host that is not loopback.
    case insecureSchemeForRemoteHost(host: String)
    /// getaddrinfo could not resolve the host.
    case resolutionFailed(host: String, reason: String)
    /// Every resolved address refused or failed the TCP connect.
    case connectFailed(host: String, port: Int, reason: String)
    /// TCP connect did not finish within the connect timeout.
    case connectTimedOut(host: String, seconds: Double)
    /// A system call failed; `call` names it.
    case systemCallFailed(call: String, errno: Int32, message: String)
    /// TLS failed (certificate verification, handshake, I/O).
    case tls(TLSError)
    /// TLS plus HTTP upgrade did not finish within the handshake timeout.
    case handshakeTimedOut(seconds: Double)
    /// The server answered the upgrade with a status other than 101; `body` is its text
    /// (Gemini explains 400/401/403 in a JSON body).
    case handshakeRejected(status: Int, reason: String, body: String)
    /// The server's 101 response broke RFC 6455 (missing headers, wrong accept key, bad syntax).
    case handshakeInvalid(reason: String)
    /// The response header block exceeded the limit.
    case handshakeTooLarge(limit: Int)
    /// A message exceeded `maxMessageSize`; the connection was closed with 1009.
    case messageTooBig(limit: Int)
    /// A text message (or close reason) was not valid UTF-8; closed with 1007.
    case invalidUTF8
    /// The server broke the framing rules (masked frame, reserved bits, bad opcode,
    /// bad close code...); the connection was closed with `closeCode` (1002 normally).
    case protocolViolation(closeCode: Int)
    /// The TCP connection ended without a WebSocket close handshake.
    case connectionLost(reason: String)
    /// The peer did not answer our close frame in time.
    case closeTimedOut(seconds: Double)
    /// The API was used in a state that does not allow it (e.g. send before `.open`).
    case invalidState(String)

    public var description: String {
        switch self {
        case let .invalidURL(url, reason):
            return "WebSocket: invalid URL \(url): \(reason); use ws://host[:port]/path or wss://..."
        case let .insecureSchemeForRemoteHost(host):
            return "WebSocket: ws:// to non-loopback host \(host) refused; use wss:// (plain ws is allowed only to 127.0.0.0/8, ::1 and localhost)"
        case let .resolutionFailed(host, reason):
            return "WebSocket: cannot resolve \(host): \(reason); check DNS and the host name"
        case let .connectFailed(host, port, reason):
            return "WebSocket: TCP connect to \(host):\(port) failed: \(reason); check the endpoint and network, then retry with backoff"
        case let .connectTimedOut(host, seconds):
            return "WebSocket: TCP connect to \(host) timed out after \(seconds)s; the network or host is unreachable, retry with backoff"
        case let .systemCallFailed(call, errno, message):
            return "WebSocket: \(call) failed with errno \(errno) (\(message)); the connection is unusable, reconnect"
        case let .tls(error):
            return "WebSocket: \(error)"
        case let .handshakeTimedOut(seconds):
            return "WebSocket: TLS/HTTP upgrade did not finish within \(seconds)s; the server is slow or not a WebSocket endpoint, retry with backoff"
        case let .handshakeRejected(status, reason, body):
            return "WebSocket: server refused the upgrade with HTTP \(status) \(reason): \(body); for 400/401/403 check API key, nonce and signature"
        case let .handshakeInvalid(reason):
            return "WebSocket: invalid upgrade response: \(reason); the endpoint is not a conforming WebSocket server"
        case let .handshakeTooLarge(limit):
            return "WebSocket: upgrade response headers exceed \(limit) bytes; the endpoint is misbehaving"
        case let .messageTooBig(limit):
            return "WebSocket: server sent a message larger than \(limit) bytes; closed with 1009, raise maxMessageSize if this is legitimate"
        case .invalidUTF8:
            return "WebSocket: server sent text that is not valid UTF-8; closed with 1007, reconnect"
        case let .protocolViolation(code):
            return "WebSocket: server violated RFC 6455 framing; closed with \(code), reconnect"
        case let .connectionLost(reason):
            return "WebSocket: connection lost without close handshake (\(reason)); reconnect with backoff"
        case let .closeTimedOut(seconds):
            return "WebSocket: peer did not complete the close handshake within \(seconds)s; connection dropped"
        case let .invalidState(what):
            return "WebSocket: \(what)"
        }
    }
}
