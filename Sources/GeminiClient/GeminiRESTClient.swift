import CastorCore
import CastorHTTP
import Dispatch
import Foundation
import GeminiProtocol

/// Typed access to Gemini's REST API (API.md §3).
///
/// Public market-data GETs need no key and run concurrently. Private calls are signed and
/// go one at a time through the key's `PrivateRequestSender`, so their nonces reach Gemini
/// in order. Every method returns at once; its completion runs exactly once on the queue
/// the caller names, with the decoded body or a `GeminiClientError` that says whether the
/// request may have executed.
public final class GeminiRESTClient: Sendable {
    /// The deployment this client talks to.
    public let venue: GeminiVenue
    /// The signing queue for private calls; nil for a public-only client.
    public let privateSender: PrivateRequestSender?
    /// Sent as `account` in every private payload: the sub-account nickname a **master**
    /// key acts on. Must be nil for account keys (Gemini answers `AccountsOnGroupOnlyApi`).
    public let account: String?
    let http: HTTPClient
    let publicTimeout: Duration?

    /// A client for public endpoints only; private methods fail with `.invalidRequest`.
    /// - Parameter publicTimeout: HTTP deadline for GETs; nil = the HTTP client's default.
    public init(venue: GeminiVenue, http: HTTPClient, publicTimeout: Duration? = nil) {
        self.venue = venue
        self.http = http
        self.privateSender = nil
        self.account = nil
        self.publicTimeout = publicTimeout
    }

    /// A client for public and private endpoints of one API key.
    ///
    /// - Parameters:
    ///   - sender: the key's only sender (it fixes the HTTP client and venue for private calls).
    ///   - account: for master keys, the sub-account to act on.
    public init(
        venue: GeminiVenue, http: HTTPClient, sender: PrivateRequestSender, account: String? = nil,
        publicTimeout: Duration? = nil
    ) {
        self.venue = venue
        self.http = http
        self.privateSender = sender
        self.account = account
        self.publicTimeout = publicTimeout
    }

    // MARK: Public endpoints

    /// `GET /v1/symbols`: every symbol, including closed and broken ones.
    public func symbols(on queue: DispatchQueue, completion: @escaping @Sendable (Result<[Symbol], GeminiClientError>) -> Void) {
        get("/v1/symbols", on: queue, completion: completion)
    }

    /// `GET /v1/symbols/details/{symbol}`: tick size (quantity step), quote increment
    /// (price step), minimum size, trading status.
    public func symbolDetails(_ symbol: Symbol, on queue: DispatchQueue, completion: @escaping @Sendable (Result<SymbolDetails, GeminiClientError>) -> Void) {
        get("/v1/symbols/details/", symbol: symbol, on: queue, completion: completion)
    }

    /// `GET /v1/pubticker/{symbol}`: bid, ask, last and 24 h volume. Prefer it to v2 for the
    /// last price (v2 `close` can be stale).
    public func ticker(_ symbol: Symbol, on queue: DispatchQueue, completion: @escaping @Sendable (Result<PubTicker, GeminiClientError>) -> Void) {
        get("/v1/pubticker/", symbol: symbol, on: queue, completion: completion)
    }

    /// `GET /v2/ticker/{symbol}`: open/high/low/close and 24 hourly prices.
    public func tickerV2(_ symbol: Symbol, on queue: DispatchQueue, completion: @escaping @Sendable (Result<TickerV2, GeminiClientError>) -> Void) {
        get("/v2/ticker/", symbol: symbol, on: queue, completion: completion)
    }

    /// `GET /v1/book/{symbol}`: aggregated levels. Limits: nil = Gemini's default (50),
    /// 0 = full depth.
    public func book(
        _ symbol: Symbol, limitBids: Int? = nil, limitAsks: Int? = nil,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<OrderBookSnapshot, GeminiClientError>) -> Void
    ) {
        var query: [(String, String)] = []
        if let limitBids { query.append(("limit_bids", String(limitBids))) }
        if let limitAsks { query.append(("limit_asks", String(limitAsks))) }
        get("/v1/book/", symbol: symbol, query: query, on: queue, completion: completion)
    }

    /// Where `trades` starts.
    public enum TradesSince: Sendable, Hashable {
        /// Trades at or after this time (ms since the epoch; 7 days of data at most).
        case timestampMilliseconds(Int64)
        /// Trades after this trade id (overrides any timestamp; 0 = earliest available).
        case tradeID(Int64)
    }

    /// `GET /v1/trades/{symbol}`: public trades, newest first.
    public func trades(
        _ symbol: Symbol, since: TradesSince? = nil, limit: Int? = nil,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<[PublicTrade], GeminiClientError>) -> Void
    ) {
        var query: [(String, String)] = []
        switch since {
        case .timestampMilliseconds(let ms): query.append(("timestamp", String(ms)))
        case .tradeID(let tid): query.append(("since_tid", String(tid)))
        case nil: break
        }
        if let limit { query.append(("limit_trades", String(limit))) }
        get("/v1/trades/", symbol: symbol, query: query, on: queue, completion: completion)
    }

    /// Candle widths, spelled the long-standing way (`1hr`, not `1h`: API.md §3.11).
    public enum CandleTimeFrame: String, Sendable, CaseIterable {
        case oneMinute = "1m", fiveMinutes = "5m", fifteenMinutes = "15m", thirtyMinutes = "30m"
        case oneHour = "1hr", sixHours = "6hr", oneDay = "1day"
    }

    /// `GET /v2/candles/{symbol}/{time_frame}`: OHLCV, newest first, parsed exactly.
    public func candles(
        _ symbol: Symbol, timeFrame: CandleTimeFrame,
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<[Candle], GeminiClientError>) -> Void
    ) {
        get("/v2/candles/", symbol: symbol, suffix: "/" + timeFrame.rawValue, on: queue, completion: completion)
    }

    // MARK: Plumbing

    /// The symbol as a lower-case path component; refuses anything but letters and digits,
    /// so a symbol can never change which path (and thus which signed `request`) is used.
    static func pathSymbol(_ symbol: Symbol) throws(GeminiClientError) -> String {
        let text = symbol.lowercased
        guard !text.isEmpty, text.utf8.allSatisfy({
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
        }) else {
            throw .invalidRequest("symbol \(symbol.rawValue.debugDescription) must be letters and digits only")
        }
        return text
    }

    private func get<T: Decodable & Sendable>(
        _ prefix: String, symbol: Symbol, suffix: String = "", query: [(String, String)] = [],
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<T, GeminiClientError>) -> Void
    ) {
        let component: String
        do { component = try Self.pathSymbol(symbol) } catch {
            queue.async { completion(.failure(error)) }
            return
        }
        get(prefix + component + suffix, query: query, on: queue, completion: completion)
    }

    private func get<T: Decodable & Sendable>(
        _ path: String, query: [(String, String)] = [],
        on queue: DispatchQueue, completion: @escaping @Sendable (Result<T, GeminiClientError>) -> Void
    ) {
        let request = HTTPRequest(method: .get, url: venue.restURL(path: path, query: query), timeout: publicTimeout)
        http.execute(request, on: queue) { result in
            completion(Self.decode(T.self, endpoint: path, from: result.mapError(GeminiClientError.transport)))
        }
    }

    /// Turns an HTTP outcome into the typed body or the error it stands for.
    static func decode<T: Decodable>(
        _ type: T.Type, endpoint: String, from result: Result<HTTPResponse, GeminiClientError>
    ) -> Result<T, GeminiClientError> {
        let response: HTTPResponse
        switch result {
        case .failure(let error): return .failure(error)
        case .success(let r): response = r
        }
        do {
            return try GeminiRESTDecoder.decode(T.self, from: response.body, httpStatus: response.status)
                .mapError { .exchange(status: response.status, body: $0) }
        } catch {
            return .failure(.decoding(endpoint: endpoint, error))
        }
    }
}
