import CastorSSL

/// The client's HTTP/1.1 upgrade request (RFC 6455 §4.1), written by hand because
/// libwslay frames only and this libcurl has no WebSocket support.
struct HandshakeRequest: Sendable {
    /// The GUID every server appends to the key before hashing (RFC 6455 §1.3).
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    let url: WebSocketURL
    /// Extra headers such as Gemini's X-GEMINI-APIKEY / PAYLOAD / SIGNATURE.
    let headers: [(name: String, value: String)]
    /// Base64 of 16 random bytes.
    let key: String

    init(url: WebSocketURL, headers: [(name: String, value: String)], key: String) {
        self.url = url
        self.headers = headers
        self.key = key
    }

    /// A request with a fresh random key; throws only if the random generator fails.
    init(url: WebSocketURL, headers: [(name: String, value: String)]) throws(WebSocketError) {
        let nonce: [UInt8]
        do { nonce = try SecureRandom.bytes(count: 16) } catch { throw .tls(error) }
        self.init(url: url, headers: headers, key: Base64.encode(nonce))
    }

    /// The value the server must return in Sec-WebSocket-Accept.
    var expectedAccept: String { Self.accept(forKey: key) }

    static func accept(forKey key: String) -> String {
        Base64.encode(SHA1.digest(Array((key + acceptGUID).utf8)))
    }

    /// Rejects header names/values that could split the request (CR, LF) or shadow the
    /// handshake's own headers.
    static func validate(headers: [(name: String, value: String)]) throws(WebSocketError) {
        let reserved: Set<String> = ["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"]
        for (name, value) in headers {
            let badName = name.isEmpty || name.utf8.contains { $0 <= 32 || $0 >= 127 || $0 == UInt8(ascii: ":") }
            if badName || value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
                throw .invalidState("header \(name) contains characters not allowed in HTTP")
            }
            if reserved.contains(name.lowercased()) {
                throw .invalidState("header \(name) is set by the WebSocket handshake itself")
            }
        }
    }

    /// The request bytes.
    var bytes: [UInt8] {
        var text = "GET \(url.target) HTTP/1.1\r\n"
        text += "Host: \(url.hostHeader)\r\n"
        text += "Upgrade: websocket\r\n"
        text += "Connection: Upgrade\r\n"
        text += "Sec-WebSocket-Key: \(key)\r\n"
        text += "Sec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }
}

/// Standard base64 with padding (RFC 4648 §4); only encoding is needed here.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(n >> 18 & 63)])
            out.append(alphabet[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
