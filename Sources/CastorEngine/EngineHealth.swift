/// The engine's liveness, for the systemd watchdog.
///
/// `alive` is false when the engine's own loop has stopped turning or a feed that should
/// be live has gone silent for longer than the configured heartbeat timeout plus the
/// feeds' own reconnect allowance: then a restart is the right medicine.
public struct EngineHealth: Sendable, Equatable, CustomStringConvertible {
    public let alive: Bool
    /// Milliseconds since the engine's tick last ran on its queue.
    public let loopAgeMs: Int64
    /// Milliseconds since the last market-data message; nil before the first.
    public let marketDataAgeMs: Int64?
    /// Milliseconds since the last order-events message; nil before the first.
    public let orderEventsAgeMs: Int64?
    /// Why `alive` is false, if it is.
    public let problem: String?

    public init(alive: Bool, loopAgeMs: Int64, marketDataAgeMs: Int64?, orderEventsAgeMs: Int64?, problem: String?) {
        self.alive = alive
        self.loopAgeMs = loopAgeMs
        self.marketDataAgeMs = marketDataAgeMs
        self.orderEventsAgeMs = orderEventsAgeMs
        self.problem = problem
    }

    public var description: String {
        alive ? "alive" : "not alive: \(problem ?? "unknown")"
    }
}
