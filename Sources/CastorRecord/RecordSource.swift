import CastorFeeds
import CastorWebSocket
import GeminiClient

/// Where `castor record` connects: `--venue production|sandbox` (Gemini's own hosts) or
/// `--url`, any Gemini-compatible server. A `--url` that is only an origin
/// (`ws://127.0.0.1:8765`, as `castor sim` prints) gets `/v2/marketdata`; one with a path is
/// used as given. `wss://` is verified TLS; plain `ws://` is refused unless the host is
/// loopback (`WebSocketURL`'s rule).
public enum RecordSource {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `--api`: `websocket` (the new API, the default) or `legacy` (`/v2/marketdata`).
    public static func api(_ text: String?) throws(Invalid) -> MarketDataTap.API {
        guard let text else { return .websocket }
        guard let api = MarketDataTap.API(rawValue: text) else {
            throw Invalid(description: "--api \(text): use websocket (the new API) or legacy (/v2/marketdata)")
        }
        return api
    }

    /// Where to connect for `api`: the new API's base (`wss://ws.gemini.com`, or `--url` as
    /// given: `castor sim` prints it as `ws_api`), or the v2 feed URL.
    public static func marketDataURL(venue: String?, url: String?, api: MarketDataTap.API) throws(Invalid) -> String {
        guard api == .websocket else { return try marketDataURL(venue: venue, url: url) }
        if let url {
            guard venue == nil else { throw Invalid(description: "give --venue or --url, not both") }
            do throws(WebSocketError) { _ = try WebSocketURL(url) } catch {
                throw Invalid(description: "--url \(url): \(error)")
            }
            return url
        }
        switch venue ?? "production" {
        case "production": return GeminiVenue.production.webSocketAPIURL ?? "wss://ws.gemini.com"
        case "sandbox": return GeminiVenue.sandbox.webSocketAPIURL ?? "wss://ws.sandbox.gemini.com"
        case let other: throw Invalid(description: "--venue \(other): use production or sandbox (or --url for another server)")
        }
    }

    /// The market data v2 URL, or why there is none.
    public static func marketDataURL(venue: String?, url: String?) throws(Invalid) -> String {
        if let url {
            guard venue == nil else { throw Invalid(description: "give --venue or --url, not both") }
            let parsed: WebSocketURL
            do throws(WebSocketError) { parsed = try WebSocketURL(url) } catch {
                throw Invalid(description: "--url \(url): \(error)")
            }
            return parsed.target == "/" ? parsed.description.dropLastSlash + "/v2/marketdata" : parsed.description
        }
        switch venue ?? "production" {
        case "production": return GeminiVenue.production.marketDataV2URL
        case "sandbox": return GeminiVenue.sandbox.marketDataV2URL
        case let other: throw Invalid(description: "--venue \(other): use production or sandbox (or --url for another server)")
        }
    }

    /// `--symbols` as upper-case names; each 3–20 letters or digits.
    public static func symbols(_ text: String) throws(Invalid) -> [String] {
        var out: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.filter { $0 != " " }.uppercased()
            guard (3...20).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw Invalid(description: "--symbols: \"\(part)\" is not a symbol (e.g. BTCUSD,ETHUSD)")
            }
            if !out.contains(name) { out.append(name) }
        }
        return out
    }
}

private extension String {
    var dropLastSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
