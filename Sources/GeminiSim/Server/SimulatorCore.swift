import CastorCore
import Foundation

/// The simulator's single point of serialisation: the engine, the authenticator's nonce
/// state, the rate limiters, the faults and the heartbeat timers.
///
/// Confinement: `SimEngine` is not thread-safe, so it is created and touched only inside
/// this actor; every HTTP (and later WebSocket) handler reaches it through `await`. Handlers
/// never sleep while holding engine state — rate-limit queueing and response delays happen
/// in the router, outside the actor, so one slow client cannot stall the venue.
public actor SimulatorCore {
    /// The injected time source (tests pass a `ManualSimClock`).
    public nonisolated let clock: any SimClock
    public nonisolated let config: SimulatorConfig
    let log: SimLogSink

    let engine: SimEngine
    /// The synthetic market trading on `engine`, when enabled.
    let market: SimMarket?
    var authenticator: RequestAuthenticator
    var publicLimiter: RateLimiter
    var privateLimiter: RateLimiter
    var faults: FaultInjector
    /// Per-bucket traffic counters (`trafficStats`).
    var traffic = SimTrafficStats()
    /// Engine account id per account nickname.
    var accountIds: [String: Int64] = [:]
    /// Account nickname per engine id, in creation order.
    var accountNames: [(id: Int64, name: String)] = []
    /// API key names per account nickname (config accounts and those added at run time).
    var accountKeys: [String: [String]] = [:]
    /// Last authenticated call per require-heartbeat key (ms); absent = no timer running.
    var heartbeatSeen: [String: Int64] = [:]
    var listeners: [UInt64: @Sendable (SimulatorEvents) -> Void] = [:]
    var nextListenerID: UInt64 = 0
    /// Told about every fault change, in order (the WebSocket feeds act on their faults).
    var faultObservers: [@Sendable (FaultConfig) -> Void] = []

    /// Builds the venue described by `config`: its symbols, accounts, balances and keys.
    public init(config: SimulatorConfig, clock: any SimClock = SystemSimClock(), log: @escaping SimLogSink = { _ in }) {
        self.clock = clock
        self.config = config
        self.log = log
        let symbols = config.symbols.map { wanted in
            SimSymbol.defaults.filter { wanted.map { $0.uppercased() }.contains($0.symbol) }
        } ?? SimSymbol.defaults
        engine = SimEngine(symbols: symbols, clock: { clock.nowMilliseconds() })
        authenticator = RequestAuthenticator(accounts: config.accounts, nonceWindowSeconds: config.nonceWindowSeconds)
        let limits = config.rateLimits
        publicLimiter = RateLimiter(perMinute: limits.publicPerMinute, burst: limits.burst, queued: limits.queuedBeyondLimit)
        privateLimiter = RateLimiter(perMinute: limits.privatePerMinute, burst: limits.burst, queued: limits.queuedBeyondLimit)
        faults = FaultInjector(config: config.faults, seed: config.seed, nowMilliseconds: clock.nowMilliseconds())
        for account in config.accounts {
            let id = engine.createAccount(name: account.name, balances: account.balances,
                                          makerFeeBps: config.makerFeeBps, takerFeeBps: config.takerFeeBps)
            accountIds[account.name] = id
            accountNames.append((id, account.name))
            accountKeys[account.name] = account.keys.map(\.key)
            for key in account.keys { engine.addAPISession(key.key, account: id) }
        }
        // Created after the configured accounts so their ids stay 1, 2, … as listed.
        market = config.syntheticMarket
            ? SimMarket(engine: engine, seed: config.seed, stepIntervalMs: config.marketStepMs) : nil
        market?.step(now: clock.nowMilliseconds())
        _ = engine.drainOrderEvents()
        _ = engine.drainMarketEvents()
    }

    /// Advances the synthetic market to the clock's time and publishes what it did.
    public func stepMarket() {
        guard let market else { return }
        market.step(now: clock.nowMilliseconds())
        publishEvents()
    }

    private func createAccountNow(_ account: SimAccountConfig) {
        let id = engine.createAccount(name: account.name, balances: account.balances,
                                      makerFeeBps: config.makerFeeBps, takerFeeBps: config.takerFeeBps)
        accountIds[account.name] = id
        accountNames.append((id, account.name))
        accountKeys[account.name] = account.keys.map(\.key)
        for key in account.keys { engine.addAPISession(key.key, account: id) }
    }

    /// Adds an account at run time (`POST /sim/accounts`). Throws if a name or key exists.
    public func addAccount(_ account: SimAccountConfig) throws(SimulatorConfigError) {
        guard accountIds[account.name] == nil else {
            throw .invalid(source: "account", reason: "account \(account.name) already exists")
        }
        for key in account.keys where authenticator.key(named: key.key) != nil { throw .duplicateKey(key.key) }
        for (currency, amount) in account.balances.sorted(by: { $0.key < $1.key })
        where amount.isNegative || !SimAccount.isBoundedAmount(amount) {
            throw .invalid(source: "account", reason: "balance \(currency) \(amount) is out of range: 0 to below 10^18, at most 18 decimal places")
        }
        createAccountNow(account)
        authenticator.add(account: account)
        log(SimLogRecord(level: .info, event: "sim.account_added", fields: [("account", account.name)]))
    }

    /// Credits (or with a negative amount debits) an account; refused if it does not exist,
    /// the balance would go negative, or the amount or balance is out of range.
    public func deposit(account: String, currency: String, amount: ExactDecimal) -> Result<Void, SimDepositError> {
        guard let id = accountIds[account] else { return .failure(.unknownAccount(account)) }
        return engine.depositChecked(account: id, currency: currency, amount: amount)
    }

    // MARK: Admission (rate limits and faults), called by the router before any work

    /// Rate-limit decision for one request in `bucket`.
    func admit(isPrivate: Bool, bucket: String) -> RateLimiter.Decision {
        guard config.rateLimits.enabled else { return .proceed }
        let now = clock.nowMilliseconds()
        let decision = isPrivate ? privateLimiter.admit(bucket: bucket, nowMilliseconds: now)
            : publicLimiter.admit(bucket: bucket, nowMilliseconds: now)
        traffic.note(decision, bucket: bucket, nowMilliseconds: now)
        return decision
    }

    /// True (and counted against `bucket`) when an injected 429 storm refuses this request.
    func refusedByStorm(bucket: String) -> Bool {
        guard inRateLimitStorm else { return false }
        traffic.stormRejections[bucket, default: 0] += 1
        return true
    }

    /// What the simulator saw of each bucket's traffic since it started.
    public var trafficStats: SimTrafficStats { traffic }

    var inMaintenance: Bool { faults.maintenance }
    var inRateLimitStorm: Bool { faults.inRateLimitStorm(nowMilliseconds: clock.nowMilliseconds()) }
    var responseDelayMs: Int { faults.config.responseDelayMs }
    func drawPrivateError(path: String) -> Int? {
        let status = faults.drawPathFailure(path: path) ?? faults.drawPrivateError()
        if status != nil { traffic.injectedErrors += 1 }
        return status
    }

    /// The faults in force.
    public var currentFaults: FaultConfig { faults.config }

    /// Bumped whenever faults are replaced; WebSocket feeds compare it to act on `dropWebSocketsNow`.
    public var faultGeneration: UInt64 { faults.generation }

    /// Replaces the faults (`POST /sim/faults`); returns what `GET /sim/faults` would.
    @discardableResult
    public func setFaults(_ new: FaultConfig) throws(SimulatorConfigError) -> GeminiJSON {
        guard new.problems.isEmpty else { throw .invalidFaults(new.problems) }
        faults.apply(new, nowMilliseconds: clock.nowMilliseconds())
        for observer in faultObservers { observer(new) }
        log(SimLogRecord(level: .info, event: "sim.faults_changed", fields: [("faults", faultSnapshot().serialized)]))
        return faultSnapshot()
    }

    func faultSnapshot() -> GeminiJSON { faults.snapshot(nowMilliseconds: clock.nowMilliseconds()) }

    // MARK: Heartbeats (API.md §2.5)

    /// Notes an authenticated call; starts or resets the key's heartbeat timer.
    func touchSession(_ key: SimAPIKeyConfig) {
        if key.requireHeartbeat { heartbeatSeen[key.key] = clock.nowMilliseconds() }
    }

    /// When the next heartbeat expiry is due (ms), if any timer runs.
    func nextHeartbeatDeadline() -> Int64? {
        heartbeatSeen.values.min().map { $0 + config.heartbeatTimeoutMs }
    }

    /// Cancels the orders of every require-heartbeat session silent for the timeout; the
    /// session's timer then stops until its next call. Returns the sessions expired.
    @discardableResult
    public func expireHeartbeats() -> [String] {
        let now = clock.nowMilliseconds()
        let expired = heartbeatSeen.filter { now - $0.value >= config.heartbeatTimeoutMs }.map(\.key).sorted()
        for key in expired {
            heartbeatSeen[key] = nil
            guard let entry = authenticator.key(named: key), let id = accountIds[entry.account] else { continue }
            let summary = engine.cancelSession(account: id, session: key)
            log(SimLogRecord(level: .warning, event: "sim.heartbeat_expired",
                             fields: [("api_key", key), ("cancelled", "\(summary.cancelledOrders.count)")]))
        }
        if !expired.isEmpty { publishEvents() }
        return expired
    }

    // MARK: Events for the WebSocket feeds

    /// Registers a listener for engine events (called on this actor after each change; keep
    /// it cheap and non-blocking). Returns a token for `removeListener`.
    public func addListener(_ listener: @escaping @Sendable (SimulatorEvents) -> Void) -> UInt64 {
        nextListenerID += 1
        listeners[nextListenerID] = listener
        return nextListenerID
    }

    public func removeListener(_ token: UInt64) { listeners[token] = nil }

    /// Registers `observer` for fault changes (`setFaults`), called on this actor right after
    /// the new faults apply, so observers see changes in the order they were made.
    public func addFaultObserver(_ observer: @escaping @Sendable (FaultConfig) -> Void) {
        faultObservers.append(observer)
    }

    /// Drains the engine's outboxes and hands them to listeners (dropped if none listen).
    func publishEvents() {
        let orderEvents = engine.drainOrderEvents()
        let batch = SimulatorEvents(orderEvents: orderEvents, marketEvents: engine.drainMarketEvents(),
                                    balances: balancesTouched(by: orderEvents), timestampms: clock.nowMilliseconds())
        guard !batch.isEmpty else { return }
        for listener in listeners.values { listener(batch) }
    }

    /// The balances, after the change, of the base and quote currencies of every symbol an
    /// order event touched, per account (accounts that keep history only: the synthetic
    /// market's participants trade on every step and nobody watches their funds).
    private func balancesTouched(by events: [SimOrderEvent]) -> [Int64: [SimBalance]] {
        guard !events.isEmpty else { return [:] }
        var currencies: [Int64: [String]] = [:]
        for event in events {
            guard engine.account(event.accountId)?.keepsHistory == true, let symbol = engine.symbol(event.order.symbol) else { continue }
            for currency in [symbol.base, symbol.quote] where !(currencies[event.accountId]?.contains(currency) ?? false) {
                currencies[event.accountId, default: []].append(currency)
            }
        }
        var out: [Int64: [SimBalance]] = [:]
        for (account, wanted) in currencies {
            guard let balances = engine.account(account)?.balances else { continue }
            out[account] = wanted.map { balances[$0] ?? SimBalance(currency: $0, total: .zero, held: .zero) }
        }
        return out
    }

    /// Runs `body` with the engine, then publishes what it emitted: the one door through
    /// which code outside this file (e.g. the WebSocket feeds, the synthetic market) mutates it.
    public func withEngine<R: Sendable>(_ body: (SimEngine) throws -> R) rethrows -> R {
        defer { publishEvents() }
        return try body(engine)
    }
}

/// Engine events produced by one change, in exchange order.
public struct SimulatorEvents: Sendable {
    public let orderEvents: [SimOrderEvent]
    public let marketEvents: [SimMarketEvent]
    /// After the change: per account whose orders it touched, the balances of those orders'
    /// base and quote currencies (the WebSocket API's `balanceUpdate`).
    public let balances: [Int64: [SimBalance]]
    /// When the change happened (ms of the injected clock).
    public let timestampms: Int64
    public var isEmpty: Bool { orderEvents.isEmpty && marketEvents.isEmpty }
}
