import CastorCore

/// The live fault state: the current `FaultConfig` plus what it needs over time (the end of
/// a 429 storm, the countdown of `dropResponseNext`, the seeded generator).
///
/// Not thread-safe; confined to `SimulatorCore`. Random draws use SplitMix64 seeded from the
/// config seed, so the same seed and request order fail the same requests.
struct FaultInjector: Sendable {
    private(set) var config: FaultConfig
    private var stormUntilMilliseconds: Int64 = 0
    private var random: SplitMix64
    /// Bumped on every `apply`, so WebSocket feeds can notice "drop now" requests.
    private(set) var generation: UInt64 = 0

    init(config: FaultConfig, seed: UInt64, nowMilliseconds: Int64) {
        self.config = config
        random = SplitMix64(seed: seed ^ 0xFA_17_5E_ED)
        apply(config, nowMilliseconds: nowMilliseconds)
    }

    /// Replaces the fault config; a non-zero `rateLimitStormMs` starts a storm now.
    mutating func apply(_ new: FaultConfig, nowMilliseconds: Int64) {
        config = new
        stormUntilMilliseconds = new.rateLimitStormMs > 0 ? nowMilliseconds + Int64(new.rateLimitStormMs) : 0
        generation &+= 1
    }

    var maintenance: Bool { config.maintenance }

    func inRateLimitStorm(nowMilliseconds: Int64) -> Bool { nowMilliseconds < stormUntilMilliseconds }

    func stormRemaining(nowMilliseconds: Int64) -> Int64 { max(0, stormUntilMilliseconds - nowMilliseconds) }

    /// The 5xx status to answer a private request with instead of executing it, if any.
    mutating func drawPrivateError() -> Int? {
        guard config.privateErrorPercent > 0, !config.errorStatuses.isEmpty else { return nil }
        guard Int(random.next() % 100) < config.privateErrorPercent else { return nil }
        return config.errorStatuses[Int(random.next() % UInt64(config.errorStatuses.count))]
    }

    /// The 500 to answer a private request to `path` with, when `failPathNext` counts it.
    mutating func drawPathFailure(path: String) -> Int? {
        guard let left = config.failPathNext[path], left > 0 else { return nil }
        config.failPathNext[path] = left - 1
        return 500
    }

    /// Whether to drop the response of an order placement that is about to execute.
    mutating func drawDropResponse() -> FaultConfig.DroppedResponse? {
        if config.dropResponseNext > 0 {
            config.dropResponseNext -= 1
            return config.dropResponseAs
        }
        guard config.dropResponsePercent > 0 else { return nil }
        return Int(random.next() % 100) < config.dropResponsePercent ? config.dropResponseAs : nil
    }

    /// Whether the connection of the `order.place` about to execute is to be closed before
    /// its reply (`wsAPICloseAfterPlaceNext`, counted down).
    mutating func drawCloseAfterPlace() -> Bool {
        guard config.wsAPICloseAfterPlaceNext > 0 else { return false }
        config.wsAPICloseAfterPlaceNext -= 1
        return true
    }

    /// `GET /sim/faults`: the config as currently in force plus the storm's remaining time.
    func snapshot(nowMilliseconds: Int64) -> GeminiJSON {
        let c = config
        return .object([
            ("responseDelayMs", .int(c.responseDelayMs)),
            ("privateErrorPercent", .int(c.privateErrorPercent)),
            ("errorStatuses", .array(c.errorStatuses.map { .int($0) })),
            ("dropResponsePercent", .int(c.dropResponsePercent)),
            ("dropResponseNext", .int(c.dropResponseNext)),
            ("dropResponseAs", .string(c.dropResponseAs.rawValue)),
            ("maintenance", .bool(c.maintenance)),
            ("rateLimitStormMs", .int(c.rateLimitStormMs)),
            ("rateLimitStormRemainingMs", .int(stormRemaining(nowMilliseconds: nowMilliseconds))),
            ("dropWebSocketsNow", .bool(c.dropWebSocketsNow)),
            ("dropWebSocketsEveryMs", .int(c.dropWebSocketsEveryMs)),
            ("skipSocketSequenceEvery", .int(c.skipSocketSequenceEvery)),
            ("stopHeartbeats", .bool(c.stopHeartbeats)),
            ("failPathNext", .object(c.failPathNext.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("wsAPIDropDiffEvery", .int(c.wsAPIDropDiffEvery)),
            ("wsAPIRepeatDiffEvery", .int(c.wsAPIRepeatDiffEvery)),
            ("wsAPIReplyDelayMs", .int(c.wsAPIReplyDelayMs)),
            ("wsAPICloseAfterPlaceNext", .int(c.wsAPICloseAfterPlaceNext)),
            ("wsAPICrossBook", .array(c.wsAPICrossBook.map { .string($0) })),
            ("wsAPISilence", .bool(c.wsAPISilence)),
            ("generation", .int(generation)),
        ])
    }
}
