import CastorConfig
import CastorCore
import CastorFeeds
import CastorTrading
import Dispatch
import struct GeminiProtocol.APICredentials
import enum GeminiProtocol.NonceFormat
import Logging

/// What a feed adapter is built from.
public struct EngineFeedContext: @unchecked Sendable {
    /// The engine queue: adapters run on it.
    public let queue: DispatchQueue
    /// The engine's books, updated in place by the market-data adapter.
    public let books: MarketBooks
    public let endpoints: EngineEndpoints
    /// Upper-case symbols to subscribe.
    public let symbols: [String]
    /// The key's execution client (nil without credentials). Gemini's order-events
    /// handshake is signed through its sender while it holds `keySlot`, in sequence with
    /// REST requests, so nonces never go backwards.
    public let execution: (any VenueExecution)?
    /// Lends the key's one request slot (the engine's request queue) to a signed
    /// operation that is not a venue call: the order-events handshake.
    public let keySlot: any KeySlotLender
    public let feeds: FeedConfiguration
    public let logger: Logger
    /// The engine's clock: the adapters measure and arm their deadlines (heartbeat,
    /// staleness, reconnect backoff) on it, so a `ManualClock` drives them in tests and a
    /// wall-clock step moves none of them.
    public let clock: EngineClock
}

/// What the execution client is built from.
public struct EngineExecutionContext: Sendable {
    /// The engine queue: the client's I/O and completions run on it.
    public let queue: DispatchQueue
    public let endpoints: EngineEndpoints
    /// Never logged.
    public let credentials: APICredentials
    public let nonceFormat: NonceFormat
    /// Where the key's last nonce is kept across restarts.
    public let nonceFile: String
    /// `[account] account`: the sub-account a master key acts on.
    public let account: String?
    /// The engine's clock (deadlines are in its milliseconds).
    public let clock: EngineClock
}

/// How the engine makes its venue: the execution client and the feed adapters. The
/// default talks to Gemini's REST API and WebSockets; tests and alternative venues inject
/// their own.
public struct EngineFeedFactory: Sendable {
    public var makeExecution: @Sendable (EngineExecutionContext) throws -> any VenueExecution
    public var makeMarketData: @Sendable (EngineFeedContext) throws -> any MarketDataFeedAdapter
    public var makeOrderEvents: @Sendable (EngineFeedContext) throws -> any OrderEventsFeedAdapter
    /// The order-events adapter subscribes to `EngineFeedContext.symbols` only, so a reload
    /// that changes `[engine] symbols` must reconnect it too; otherwise (Gemini's adapter:
    /// every order of the account) it stays connected and only market data reconnects.
    public var orderEventsFilteredBySymbol: Bool

    /// - Parameter makeExecution: nil: Gemini's REST API (`EngineFeedFactory.geminiExecution`).
    public init(makeExecution: (@Sendable (EngineExecutionContext) throws -> any VenueExecution)? = nil,
                makeMarketData: @escaping @Sendable (EngineFeedContext) throws -> any MarketDataFeedAdapter,
                makeOrderEvents: @escaping @Sendable (EngineFeedContext) throws -> any OrderEventsFeedAdapter,
                orderEventsFilteredBySymbol: Bool = false) {
        self.makeExecution = makeExecution ?? EngineFeedFactory.geminiExecution
        self.makeMarketData = makeMarketData
        self.makeOrderEvents = makeOrderEvents
        self.orderEventsFilteredBySymbol = orderEventsFilteredBySymbol
    }
}

/// A feed factory could not build an adapter.
public struct EngineFeedUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
