/// A parsed `ws://` or `wss://` URL.
///
/// Plain `ws://` is accepted only for loopback hosts: market and order data must never
/// cross a network unencrypted, and refusing here fails before any connection is made.
public struct WebSocketURL: Equatable, Sendable, CustomStringConvertible {
    /// `true` for wss://.
    public let isSecure: Bool
    /// Host name or IP literal, without IPv6 brackets.
    public let host: String
    public let port: Int
    /// Path plus query, starting with "/" (the HTTP request target).
    public let target: String

    /// Parses `string`; throws `invalidURL` or `insecureSchemeForRemoteHost`.
    public init(_ string: String) throws(WebSocketError) {
        let rest: Substring
        if string.lowercased().hasPrefix("wss://") {
            isSecure = true
            rest = string.dropFirst(6)
        } else if string.lowercased().hasPrefix("ws://") {
            isSecure = false
            rest = string.dropFirst(5)
        } else {
            throw .invalidURL(string, reason: "scheme must be ws or wss")
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var remainder = rest[authorityEnd...]
        if let hash = remainder.firstIndex(of: "#") {
            // Fragments are never sent (RFC 6455 §3).
            remainder = remainder[..<hash]
        }
        target = remainder.isEmpty ? "/" : (remainder.first == "?" ? "/" + remainder : String(remainder))
        // Spaces and control bytes would split the request line or the Host header.
        if string.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw .invalidURL(string, reason: "spaces and control characters are not allowed")
        }
        if authority.contains("@") { throw .invalidURL(string, reason: "user info is not supported") }
        let defaultPort = isSecure ? 443 : 80
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL(string, reason: "unterminated IPv6 literal") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                port = defaultPort
            } else if after.first == ":" {
                port = try Self.parsePort(after.dropFirst(), url: string)
            } else {
                throw .invalidURL(string, reason: "garbage after IPv6 literal")
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.parsePort(authority[authority.index(after: colon)...], url: string)
        } else {
            host = String(authority)
            port = defaultPort
        }
        if host.isEmpty { throw .invalidURL(string, reason: "missing host") }
        if !isSecure && !Self.isLoopback(host) { throw .insecureSchemeForRemoteHost(host: host) }
    }

    /// The value of the HTTP `Host` header (port omitted when it is the default).
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (isSecure ? 443 : 80) ? h : "\(h):\(port)"
    }

    public var description: String { (isSecure ? "wss://" : "ws://") + hostHeader + target }

    private static func parsePort(_ text: Substring, url: String) throws(WebSocketError) -> Int {
        guard let p = Int(text), (1...65535).contains(p) else { throw .invalidURL(url, reason: "bad port '\(text)'") }
        return p
    }

    /// Loopback by literal inspection only: resolving a name to decide would let DNS
    /// turn a remote host into "loopback".
    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        // Plain decimal octets only: "127.0128.0.1" or "127.+1.0.1" are no numeric address
        // to getaddrinfo, which would resolve them by DNS.
        guard parts.count == 4, parts.allSatisfy({ p in
            !p.isEmpty && p.count <= 3 && (p.count == 1 || p.first != "0") && p.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
                && UInt8(p) != nil
        }) else { return false }
        return parts[0] == "127"
    }
}
