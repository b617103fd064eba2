/// Why the engine could not do what it was asked, and what the operator should do.
///
/// Every case carries the detail of what happened; `description` adds the remedy so a
/// log line or `systemctl status` is enough to act on.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The journal (state directory) could not be opened, read or written.
    case journal(String)
    /// The venue needs API credentials and none were given, or they are unusable.
    case credentials(String)
    /// The API key lacks a role the engine needs (Trader), or has one it must not.
    case roles(String)
    /// A start-up REST call failed for good; `step` names which one.
    case exchange(step: String, String)
    /// A configured symbol is unknown to the venue or not open for trading.
    case symbol(String)
    /// The strategy could not be created: unknown name, bad parameters, plug-in failure.
    case strategy(String)
    /// A feed could not be brought up (or went down during start-up).
    case feeds(String)
    /// A live reload was refused; nothing was changed.
    case reloadRefused(String)
    /// The call is not valid in the engine's current phase (e.g. `start` twice).
    case invalidState(String)
    /// The operation did not finish before its deadline.
    case timedOut(String)

    /// A stable short code for the case (`journal`, `timed_out`, …): the `reason` of the
    /// log lines that report it; `description` is their `detail`.
    public var code: String {
        switch self {
        case .journal: "journal"
        case .credentials: "credentials"
        case .roles: "roles"
        case .exchange: "exchange"
        case .symbol: "symbol"
        case .strategy: "strategy"
        case .feeds: "feeds"
        case .reloadRefused: "reload_refused"
        case .invalidState: "invalid_state"
        case .timedOut: "timed_out"
        }
    }

    public var description: String {
        switch self {
        case .journal(let d):
            "journal error: \(d) — check the state directory exists, is writable by the service user and the disk is not full"
        case .credentials(let d):
            "credentials error: \(d) — provide the API key and secret (see CredentialsLoader) for this venue"
        case .roles(let d):
            "API key roles: \(d) — create a key with the Trader role (and not Auditor) on the exchange"
        case .exchange(let step, let d):
            "start-up step \(step) failed: \(d) — check connectivity and the venue's status, then restart"
        case .symbol(let d):
            "symbol problem: \(d) — fix [engine] symbols in the configuration"
        case .strategy(let d):
            "strategy problem: \(d) — fix [strategy] in the configuration"
        case .feeds(let d):
            "feed problem: \(d) — check WebSocket connectivity to the venue"
        case .reloadRefused(let d):
            "reload refused, previous configuration still in force: \(d)"
        case .invalidState(let d):
            "invalid engine state: \(d)"
        case .timedOut(let d):
            "timed out: \(d)"
        }
    }
}
