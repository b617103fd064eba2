import GeminiProtocol

/// API key behaviour that the exchange fixed when the key was created (`[account]`).
public struct AccountConfiguration: Sendable, Hashable {
    /// How nonces are written; must match what the key has always used (API.md §2.3).
    public var nonceFormat: NonceFormat = .secondsWithMillis
    /// The key was created with "Requires Heartbeat": send `/v1/heartbeat` when idle.
    public var requireHeartbeat = false
    /// Sub-account nickname for master keys (`"account"` in each payload); nil for account keys.
    public var account: String?
    /// Start with a key that has Gemini's Fund Manager role (it can withdraw). Off: such a
    /// key is refused, as Gemini's own key guidance asks for trade-only keys.
    public var allowFundManager = false

    public init() {}
}

/// The daemon's own behaviour (`[engine]`).
public struct EngineConfiguration: Sendable, Hashable {
    /// Symbols traded and subscribed, upper case (e.g. `BTCUSD`).
    public var symbols = ["BTCUSD"]
    /// Where the journal and nonce state live.
    public var stateDirectory: String
    /// Cancel this session's open orders on a graceful shutdown.
    public var cancelOnShutdown = true
    /// How long a graceful shutdown may take before giving up (keep below `TimeoutStopSec`).
    public var shutdownTimeout: Duration = .seconds(20)
    /// The values `shutdown_timeout` accepts. The systemd units' `TimeoutStopSec=` is above
    /// the upper bound plus a margin, so systemd never SIGKILLs a shutdown that is still
    /// cancelling orders within its budget (CastorSystemdTests checks the units).
    public static let shutdownTimeoutRange: ClosedRange<Duration> = .seconds(1)...(.seconds(300))

    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
    }

    /// `$STATE_DIRECTORY` (set by systemd's `StateDirectory=`; first entry if several),
    /// else `$HOME/.local/state/castor`, else `./castor-state`.
    public static func defaultStateDirectory(environment: [String: String]) -> String {
        if let state = environment["STATE_DIRECTORY"], let first = state.split(separator: ":").first, !first.isEmpty {
            return String(first)
        }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/castor" }
        return "castor-state"
    }
}

/// Log level names accepted in `[log] level` (swift-log's levels).
public enum LogLevelSetting: String, Sendable, Hashable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

/// Log line formats accepted in `[log] format`.
public enum LogFormatSetting: String, Sendable, Hashable, CaseIterable {
    /// One JSON object per line (journald, log shippers).
    case json
    /// Human-readable lines for a terminal.
    case text
}

/// Logging (`[log]`).
public struct LogConfiguration: Sendable, Hashable {
    /// Minimum level; changeable by reload.
    public var level: LogLevelSetting = .info
    /// Line format; fixed for the life of the process.
    public var format: LogFormatSetting = .json
    /// `format` was written in the file. Otherwise `castor run` writes text on a terminal
    /// and JSON anywhere else (a pipe, a file, journald).
    public var formatIsExplicit = false

    public init() {}
}

/// Client-side REST rate limits (`[rate_limits]`), kept below Gemini's documented
/// 600/min private and 120/min public so the exchange's queue and 429s are never reached.
public struct RateLimitConfiguration: Sendable, Hashable {
    /// Private (signed) requests per second; Gemini recommends at most 5.
    public var privatePerSecond: Double = 5
    /// Private requests allowed back to back before pacing applies.
    public var privateBurst = 5
    /// Public requests per second; Gemini recommends at most 1.
    public var publicPerSecond: Double = 1
    /// Public requests allowed back to back.
    public var publicBurst = 2
    /// How long new orders are halted after the exchange reports maintenance (`Maintenance`
    /// or HTTP 503); other requests are retried after it.
    public var maintenancePause: Duration = .seconds(60)

    /// Gemini's documented ceilings (API.md §5): 600/min private, 120/min public.
    public static let privateCeiling: Double = 10
    public static let publicCeiling: Double = 2

    public init() {}
}

/// WebSocket feed supervision (`[feeds]`).
/// Where alerts go (`[alerts]`): off unless `webhook_url` is set.
public struct AlertsConfiguration: Sendable, Hashable {
    /// An HTTPS URL (plain http only to loopback) that gets a JSON POST for each alert:
    /// kill-switch changes, a failed start, a forced shutdown, fills at risk, reconnect storms.
    public var webhookURL: String?

    public init() {}
}

/// The Prometheus endpoint (`[metrics]`): off unless `listen` is set.
public struct MetricsConfiguration: Sendable, Hashable {
    /// `host:port` for `GET /metrics` and `GET /healthz`, e.g. `127.0.0.1:9464` (port 0: a
    /// free one, logged as `metrics.listening`); nil: off. Written as given: loopback unless
    /// the operator writes another address.
    public var listen: String?
    /// The host and port of `listen` (validated when the file was read).
    public var address: (host: String, port: UInt16)? {
        guard let listen, let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...])
        else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }

    public init() {}
}

public struct FeedConfiguration: Sendable, Hashable {
    /// Reconnect when no message (heartbeats included) arrived for this long.
    public var heartbeatTimeout: Duration = .seconds(15)
    /// Treat a symbol's market data as stale (stop quoting) after this long without an update.
    public var staleMarketAfter: Duration = .seconds(30)
    /// First reconnect delay; doubled per failed attempt (with jitter).
    public var reconnectBackoffBase: Duration = .seconds(1)
    /// Longest reconnect delay.
    public var reconnectBackoffCap: Duration = .seconds(60)
    /// A connection live this long counts as stable: the reconnect backoff starts again
    /// from `reconnectBackoffBase` after the next drop.
    public var stableAfter: Duration = .seconds(60)

    public init() {}
}
