/// Faults the simulator injects, set at start (`faults` in the config file) and replaced
/// while running with `POST /sim/faults` (same JSON; missing fields take their defaults).
///
/// Everything defaults to "no fault". Random choices use the simulator's seeded generator,
/// so a run with the same seed and request sequence fails the same requests.
public struct FaultConfig: Sendable, Codable, Equatable {
    /// What a client sees when an order was executed but its response is dropped.
    public enum DroppedResponse: String, Sendable, Codable, Equatable {
        /// HTTP 502 with Gemini's `System` error body.
        case badGateway = "502"
        /// HTTP 504 with a non-JSON body, as an edge proxy timing out would send.
        case gatewayTimeout = "504"
        /// The connection is closed after the status line and headers, before the body.
        case closeConnection = "close"
    }

    /// Delay every REST response by this many milliseconds (after the work is done).
    public var responseDelayMs: Int
    /// Percentage (0–100) of private requests answered with an error from `errorStatuses`
    /// *instead of* being executed.
    public var privateErrorPercent: Int
    /// Statuses drawn from for `privateErrorPercent`: 500 (`System`), 502, 503.
    public var errorStatuses: [Int]
    /// Percentage (0–100) of `/v1/order/new` requests that are executed but whose response
    /// is dropped: the order exists, the client cannot know. The ambiguous case.
    public var dropResponsePercent: Int
    /// The next N `/v1/order/new` requests are executed with their response dropped
    /// (deterministic form of `dropResponsePercent`, counted down as it fires).
    public var dropResponseNext: Int
    /// How a dropped response looks to the client.
    public var dropResponseAs: DroppedResponse
    /// Answer every REST request (public and private) with 503 `Maintenance`.
    public var maintenance: Bool
    /// Answer every private request with 429 `RateLimit` for this many milliseconds from
    /// the moment this config is applied (0 = off).
    public var rateLimitStormMs: Int

    // WebSocket faults: read by the WebSocket feeds.

    /// Close every open WebSocket once, when this config is applied.
    public var dropWebSocketsNow: Bool
    /// Close every open WebSocket every N milliseconds (0 = never).
    public var dropWebSocketsEveryMs: Int
    /// Skip one `socket_sequence` number every N messages on v1 feeds (0 = never).
    public var skipSocketSequenceEvery: Int
    /// Stop sending WebSocket heartbeats (the connection stays open).
    public var stopHeartbeats: Bool
    /// The next N private requests to a path (`"/v1/order/cancel/session": 3`) are
    /// answered 500 `System` instead of being executed (counted down as they fire).
    public var failPathNext: [String: Int]

    // New WebSocket API faults (the `ws_api_listen` server), read by `WSAPIHub` and its
    // sessions. `dropWebSocketsNow`/`dropWebSocketsEveryMs` close its connections too, and
    // `stopHeartbeats` stops its protocol pings.

    /// Leave out one depth diff of every N a connection's depth stream would send (a gap:
    /// the next frame's `U` is above the client's last `u`). 0 = never.
    public var wsAPIDropDiffEvery: Int
    /// Send one depth diff of every N twice in a row (the repeat is stale: `u` <= last `u`).
    public var wsAPIRepeatDiffEvery: Int
    /// Hold every reply to a request this many ms of the injected clock; the work (an order
    /// placed, a cancel) and its events happen at once: an ambiguous placement.
    public var wsAPIReplyDelayMs: Int
    /// The next N `order.place` requests are executed, then their connection is closed
    /// (1011) before any reply (counted down as it fires).
    public var wsAPICloseAfterPlaceNext: Int
    /// Symbols (any case) whose book the WebSocket API shows crossed, as the sandbox's often
    /// is: a phantom bid above the best ask, in snapshots, diffs, `depth` and `bookTicker`.
    /// It only shows there; the matching engine never sees it.
    public var wsAPICrossBook: [String]
    /// Stop sending market data (depth, trades, book tickers) on the WebSocket API; the
    /// sockets, pings, replies and account events go on. Depth changes meanwhile are sent
    /// once it is switched off, continuing each connection's U/u chain; trades are lost.
    public var wsAPISilence: Bool

    public init(responseDelayMs: Int = 0, privateErrorPercent: Int = 0, errorStatuses: [Int] = [500, 502, 503],
                dropResponsePercent: Int = 0, dropResponseNext: Int = 0, dropResponseAs: DroppedResponse = .badGateway,
                maintenance: Bool = false, rateLimitStormMs: Int = 0, dropWebSocketsNow: Bool = false,
                dropWebSocketsEveryMs: Int = 0, skipSocketSequenceEvery: Int = 0, stopHeartbeats: Bool = false,
                failPathNext: [String: Int] = [:], wsAPIDropDiffEvery: Int = 0, wsAPIRepeatDiffEvery: Int = 0,
                wsAPIReplyDelayMs: Int = 0, wsAPICloseAfterPlaceNext: Int = 0, wsAPICrossBook: [String] = [],
                wsAPISilence: Bool = false) {
        self.wsAPIDropDiffEvery = wsAPIDropDiffEvery
        self.wsAPIRepeatDiffEvery = wsAPIRepeatDiffEvery
        self.wsAPIReplyDelayMs = wsAPIReplyDelayMs
        self.wsAPICloseAfterPlaceNext = wsAPICloseAfterPlaceNext
        self.wsAPICrossBook = wsAPICrossBook
        self.wsAPISilence = wsAPISilence
        self.responseDelayMs = responseDelayMs
        self.privateErrorPercent = privateErrorPercent
        self.errorStatuses = errorStatuses
        self.dropResponsePercent = dropResponsePercent
        self.dropResponseNext = dropResponseNext
        self.dropResponseAs = dropResponseAs
        self.maintenance = maintenance
        self.rateLimitStormMs = rateLimitStormMs
        self.dropWebSocketsNow = dropWebSocketsNow
        self.dropWebSocketsEveryMs = dropWebSocketsEveryMs
        self.skipSocketSequenceEvery = skipSocketSequenceEvery
        self.stopHeartbeats = stopHeartbeats
        self.failPathNext = failPathNext
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FaultConfig()
        responseDelayMs = try c.decodeIfPresent(Int.self, forKey: .responseDelayMs) ?? d.responseDelayMs
        privateErrorPercent = try c.decodeIfPresent(Int.self, forKey: .privateErrorPercent) ?? d.privateErrorPercent
        errorStatuses = try c.decodeIfPresent([Int].self, forKey: .errorStatuses) ?? d.errorStatuses
        dropResponsePercent = try c.decodeIfPresent(Int.self, forKey: .dropResponsePercent) ?? d.dropResponsePercent
        dropResponseNext = try c.decodeIfPresent(Int.self, forKey: .dropResponseNext) ?? d.dropResponseNext
        dropResponseAs = try c.decodeIfPresent(DroppedResponse.self, forKey: .dropResponseAs) ?? d.dropResponseAs
        maintenance = try c.decodeIfPresent(Bool.self, forKey: .maintenance) ?? d.maintenance
        rateLimitStormMs = try c.decodeIfPresent(Int.self, forKey: .rateLimitStormMs) ?? d.rateLimitStormMs
        dropWebSocketsNow = try c.decodeIfPresent(Bool.self, forKey: .dropWebSocketsNow) ?? d.dropWebSocketsNow
        dropWebSocketsEveryMs = try c.decodeIfPresent(Int.self, forKey: .dropWebSocketsEveryMs) ?? d.dropWebSocketsEveryMs
        skipSocketSequenceEvery = try c.decodeIfPresent(Int.self, forKey: .skipSocketSequenceEvery) ?? d.skipSocketSequenceEvery
        stopHeartbeats = try c.decodeIfPresent(Bool.self, forKey: .stopHeartbeats) ?? d.stopHeartbeats
        failPathNext = try c.decodeIfPresent([String: Int].self, forKey: .failPathNext) ?? d.failPathNext
        wsAPIDropDiffEvery = try c.decodeIfPresent(Int.self, forKey: .wsAPIDropDiffEvery) ?? d.wsAPIDropDiffEvery
        wsAPIRepeatDiffEvery = try c.decodeIfPresent(Int.self, forKey: .wsAPIRepeatDiffEvery) ?? d.wsAPIRepeatDiffEvery
        wsAPIReplyDelayMs = try c.decodeIfPresent(Int.self, forKey: .wsAPIReplyDelayMs) ?? d.wsAPIReplyDelayMs
        wsAPICloseAfterPlaceNext = try c.decodeIfPresent(Int.self, forKey: .wsAPICloseAfterPlaceNext) ?? d.wsAPICloseAfterPlaceNext
        wsAPICrossBook = try c.decodeIfPresent([String].self, forKey: .wsAPICrossBook) ?? d.wsAPICrossBook
        wsAPISilence = try c.decodeIfPresent(Bool.self, forKey: .wsAPISilence) ?? d.wsAPISilence
    }

    /// Problems that make this config meaningless, as sentences; empty when valid.
    public var problems: [String] {
        var found: [String] = []
        if responseDelayMs < 0 { found.append("responseDelayMs must be >= 0") }
        if !(0...100).contains(privateErrorPercent) { found.append("privateErrorPercent must be 0...100") }
        if !(0...100).contains(dropResponsePercent) { found.append("dropResponsePercent must be 0...100") }
        if dropResponseNext < 0 { found.append("dropResponseNext must be >= 0") }
        if failPathNext.values.contains(where: { $0 < 0 }) { found.append("failPathNext counts must be >= 0") }
        if rateLimitStormMs < 0 { found.append("rateLimitStormMs must be >= 0") }
        if privateErrorPercent > 0, errorStatuses.isEmpty || !errorStatuses.allSatisfy({ [500, 502, 503].contains($0) }) {
            found.append("errorStatuses must be a non-empty subset of [500, 502, 503]")
        }
        if dropWebSocketsEveryMs < 0 || skipSocketSequenceEvery < 0 { found.append("WebSocket fault periods must be >= 0") }
        if wsAPIDropDiffEvery < 0 || wsAPIRepeatDiffEvery < 0 || wsAPIReplyDelayMs < 0 || wsAPICloseAfterPlaceNext < 0 {
            found.append("wsAPIDropDiffEvery, wsAPIRepeatDiffEvery, wsAPIReplyDelayMs and wsAPICloseAfterPlaceNext must be >= 0")
        }
        if wsAPIReplyDelayMs > 3_600_000 { found.append("wsAPIReplyDelayMs must be at most 3600000 (an hour)") }
        return found
    }
}
