import Foundation

/// Which exchange Castor trades on (`[venue]`).
public enum VenueConfiguration: Sendable, Hashable {
    /// The embedded local simulator: no keys, no network, no money. The default.
    case simulator
    /// Paper trading: Gemini's live public market data (`[venue] market_data_url`
    /// overrides the source), orders matched locally by the backtest's fill model; no keys,
    /// no money.
    case paper
    /// Gemini's sandbox (test funds; keys created on exchange.sandbox.gemini.com).
    case sandbox
    /// Gemini production: real money.
    case production
    /// An explicit Gemini-compatible endpoint pair (plain http/ws only on loopback).
    case custom(restURL: String, websocketURL: String)

    /// The name used in `[venue] name` and in summaries.
    public var name: String {
        switch self {
        case .simulator: "sim"
        case .paper: "paper"
        case .sandbox: "sandbox"
        case .production: "production"
        case .custom: "custom"
        }
    }

    /// REST base URL; nil for the simulator, whose address is chosen at start-up.
    public var restURL: String? {
        switch self {
        case .simulator, .paper: nil
        case .sandbox: "https://api.sandbox.gemini.com"
        case .production: "https://api.gemini.com"
        case .custom(let rest, _): rest
        }
    }

    /// WebSocket base URL (paths such as `/v2/marketdata` are appended); nil for the simulator.
    public var websocketURL: String? {
        switch self {
        case .simulator, .paper: nil
        case .sandbox: "wss://api.sandbox.gemini.com"
        case .production: "wss://api.gemini.com"
        case .custom(_, let ws): ws
        }
    }

    /// Every venue but the simulator and paper trading needs API credentials.
    public var requiresCredentials: Bool { self != .simulator && self != .paper }

    /// A stable, file-name-safe name of the exchange whose order and trade ids the engine
    /// sees, so that state kept per venue (the journal) never mixes two of them: `sim`,
    /// `sandbox`, `production`, or for explicit URLs `custom-<host>-<port>` from the REST
    /// URL (`custom-127.0.0.1-8443`). The host is lower-cased with characters other than
    /// letters, digits, `.` and `-` written `_` (IPv6 `[::1]` → `__1`); the port is the
    /// scheme's default (443, 80) when the URL has none. Explicit URLs naming Gemini's own
    /// REST hosts (`https://api.gemini.com`, `https://api.sandbox.gemini.com`) are
    /// `production` and `sandbox`: the same exchange, the same ids.
    public var identity: String {
        switch self {
        case .simulator: "sim"
        case .paper: "paper"
        case .sandbox: "sandbox"
        case .production: "production"
        case .custom(let rest, _): Self.customIdentity(restURL: rest)
        }
    }

    static func customIdentity(restURL: String) -> String {
        let text = restURL.lowercased()
        let scheme: Substring
        let rest: Substring
        if let separator = text.range(of: "://") {
            scheme = text[..<separator.lowerBound]
            rest = text[separator.upperBound...]
        } else {
            scheme = ""
            rest = Substring(text)
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host = authority
        var port: Substring = ""
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = after.dropFirst() }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        }
        let portText = port.isEmpty ? (scheme == "http" ? "80" : "443") : UInt16(port).map(String.init) ?? String(port)
        if scheme == "https" && portText == "443" {
            if host == "api.gemini.com" { return VenueConfiguration.production.identity }
            if host == "api.sandbox.gemini.com" { return VenueConfiguration.sandbox.identity }
        }
        func safe(_ s: Substring) -> String {
            String(s.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "." || $0 == "-" ? $0 : "_" })
        }
        return "custom-\(safe(host))-\(safe(Substring(portText)))"
    }
}

/// Validation of explicit venue URLs.
enum VenueURL {
    /// Nil when acceptable, else the reason. `secure`/`plain` are the scheme pair allowed.
    static func problem(_ text: String, secure: String, plain: String) -> String? {
        guard let components = URLParts(text) else {
            return "\"\(text)\" is not a URL: write it like \(secure)://api.gemini.com"
        }
        guard components.scheme == secure || components.scheme == plain else {
            return "\"\(text)\" must use \(secure):// (or \(plain):// to a loopback address)"
        }
        guard !components.host.isEmpty else { return "\"\(text)\" has no host" }
        if components.scheme == plain && !isLoopback(components.host) {
            return "\"\(text)\" uses unencrypted \(plain):// to a non-loopback host: use \(secure):// (plain \(plain) is only allowed to localhost / 127.0.0.1 / ::1)"
        }
        guard !components.hasQueryOrFragment else { return "\"\(text)\" must not have a query or fragment" }
        return nil
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.first == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Just enough URL parsing for scheme/host checks, with no Foundation quirks.
    private struct URLParts {
        let scheme: String
        let host: String
        let hasQueryOrFragment: Bool

        init?(_ text: String) {
            guard let separator = text.range(of: "://"), !text.contains(where: { $0 == " " || $0 == "\t" }) else { return nil }
            scheme = text[..<separator.lowerBound].lowercased()
            let rest = text[separator.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            hasQueryOrFragment = rest.contains("?") || rest.contains("#")
            guard !authority.contains("@") else { return nil }
            if authority.hasPrefix("[") {
                guard let close = authority.firstIndex(of: "]") else { return nil }
                host = String(authority[...close])
            } else {
                host = String(authority.prefix { $0 != ":" })
            }
            guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter }) else { return nil }
        }
    }
}
