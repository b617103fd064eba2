/// Where a Gemini deployment lives: the REST base URL and the legacy WebSocket base URL,
/// from which every endpoint URL is derived.
///
/// Hosts are configuration, never hard-coded at call sites (API.md §8.4: a client library
/// shipped with the sandbox URL baked into its order-events feed).
public struct GeminiVenue: Sendable, Hashable, CustomStringConvertible {
    /// `https://api.gemini.com`, or the explicit base; never ends in `/`.
    public let restBaseURL: String
    /// `wss://api.gemini.com`, or `ws://…` for a loopback simulator; never ends in `/`.
    public let webSocketBaseURL: String
    /// A short name for logs: `production`, `sandbox` or the base URL.
    public let name: String

    /// The live exchange.
    public static let production = GeminiVenue(
        restBaseURL: "https://api.gemini.com", webSocketBaseURL: "wss://api.gemini.com", name: "production")

    /// Gemini's sandbox: test funds, separate keys and symbol set (API.md §1).
    public static let sandbox = GeminiVenue(
        restBaseURL: "https://api.sandbox.gemini.com", webSocketBaseURL: "wss://api.sandbox.gemini.com",
        name: "sandbox")

    private init(restBaseURL: String, webSocketBaseURL: String, name: String) {
        self.restBaseURL = restBaseURL
        self.webSocketBaseURL = webSocketBaseURL
        self.name = name
    }

    /// A venue at an explicit base URL, e.g. the local simulator `http://127.0.0.1:8443`.
    ///
    /// The WebSocket base is the same host with `https`→`wss` and `http`→`ws`. Only a bare
    /// origin is accepted (`scheme://host[:port]`, optional trailing `/`): Gemini signs the
    /// path exactly, so a path prefix on the base would make every `request` field wrong.
    /// Whether plain `http` is allowed for the host is `HTTPClient`'s policy (loopback only).
    /// - Throws: `GeminiVenueError.invalidBaseURL` naming what is wrong.
    public static func custom(baseURL: String) throws(GeminiVenueError) -> GeminiVenue {
        var base = baseURL
        if base.hasSuffix("/") { base.removeLast() }
        let wsScheme: String
        let rest: Substring
        if base.hasPrefix("https://") {
            wsScheme = "wss://"
            rest = base.dropFirst("https://".count)
        } else if base.hasPrefix("http://") {
            wsScheme = "ws://"
            rest = base.dropFirst("http://".count)
        } else {
            throw .invalidBaseURL(baseURL, why: "scheme must be http:// or https://")
        }
        guard !rest.isEmpty else { throw .invalidBaseURL(baseURL, why: "no host") }
        guard !rest.contains(where: { "/?#@ ".contains($0) }) else {
            throw .invalidBaseURL(baseURL, why: "only scheme://host[:port] is allowed (no path, query, user or spaces)")
        }
        return GeminiVenue(restBaseURL: base, webSocketBaseURL: wsScheme + rest, name: base)
    }

    /// `restBaseURL + path`, plus `?query` when given. `path` starts with `/`.
    public func restURL(path: String, query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return restBaseURL + path }
        return restBaseURL + path + "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// The private order-events feed, `…/v1/order/events` (API.md §6).
    public var orderEventsURL: String { webSocketBaseURL + "/v1/order/events" }

    /// Market data v2, many symbols per connection (API.md §7.1).
    public var marketDataV2URL: String { webSocketBaseURL + "/v2/marketdata" }

    /// The new WebSocket API of Gemini's own deployments (WS-API.md §1.1); nil for an
    /// explicit base, which names its own.
    public var webSocketAPIURL: String? {
        switch name {
        case "production": "wss://ws.gemini.com"
        case "sandbox": "wss://ws.sandbox.gemini.com"
        default: nil
        }
    }

    public var description: String { "GeminiVenue(\(name))" }
}

/// Why a venue could not be configured.
public enum GeminiVenueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The base URL is unusable; fix the configuration value.
    case invalidBaseURL(String, why: String)

    public var description: String {
        switch self {
        case .invalidBaseURL(let url, let why): "invalid Gemini base URL \(url.debugDescription): \(why)"
        }
    }
}
