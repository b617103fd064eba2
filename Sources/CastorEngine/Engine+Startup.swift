import CastorConfig
import CastorCore
import CastorFeeds
import CastorJournal
import CastorStrategy
import CastorTrading
import Dispatch
import Foundation
import struct GeminiProtocol.APICredentials
import Logging

extension Engine {
    /// Carries out what the lifecycle decided. Every lifecycle event the engine reports
    /// ends here, so the start-up runs as the lifecycle's sequence of steps.
    func run(_ action: EngineLifecycle.Action) {
        switch action {
        case .none, .refuse, .beginShutdown:
            // Refusals and the shutdown are answered by the callers that asked.
            break
        case .run(let step):
            runStartupStep(step)
        case .startStrategy:
            startConfiguredStrategy()
        case .failStart(let error):
            failStart(error)
        case .engageKillSwitch(let reason):
            // The lifecycle engages the switch only when the order-events feed failed.
            engageKillSwitch(true, cause: .orderEventsFailed, detail: reason)
        }
    }

    /// One step of the start-up; each reports its outcome to the lifecycle
    /// (`startupStep(_:succeeded:)`), which says what runs next.
    private func runStartupStep(_ step: EngineLifecycle.StartupStep) {
        switch step {
        case .openJournal:
            report(step, openJournal())
        case .openSession:
            guard let credentials = identity.credentials else {
                return report(step, .failure(.credentials("no API credentials were given for \(identity.endpoints.venue.name)")))
            }
            let result = makeClient(credentials)
            if case .success = result { startTick() }
            report(step, result)
        case .roles:
            checkRoles()
        case .symbolDetails(let symbol):
            loadSymbolDetails(symbol)
        case .balances:
            loadBalances()
        case .reconcile:
            reconcile(.startup, snapshot: nil) { [weak self] in self?.report(step, .success(())) }
        case .connectFeeds:
            report(step, startFeeds())
        }
    }

    /// Tells the lifecycle how `step` ended and runs what it says comes next.
    func report(_ step: EngineLifecycle.StartupStep, _ result: Result<Void, EngineError>) {
        switch result {
        case .success: run(lifecycle.stepSucceeded(step))
        case .failure(let e): run(lifecycle.stepFailed(step, e))
        }
    }

    /// The strategy starts once the lifecycle is running (both feeds live, reconciled); the
    /// start completes with it.
    private func startConfiguredStrategy() {
        switch startStrategy(configuration.strategy.selection, parameters: configuration.strategy.parameters) {
        case .success:
            log("engine").notice("engine running", metadata: ["event": "engine.running", "strategy": "\(runner.name ?? "")"])
            let c = waiting.start
            waiting.start = nil
            c?(.success(()))
        case .failure(let e):
            run(lifecycle.strategyFailedToStart(e))
        }
    }

    /// Carries out a failed start (the lifecycle is `failed` already): everything is
    /// released and the caller of `start` told.
    private func failStart(_ error: EngineError) {
        log("engine").critical("start-up failed", metadata: ["event": "engine.startup_failed", "reason": "\(error.code)",
                                                                        "detail": "\(error)"])
        releaseResources()
        let c = waiting.start
        waiting.start = nil
        c?(.failure(error))
    }

    /// Opens the journal of this venue and account (`journalScope(for:)`) and rebuilds the
    /// order manager, ledger and open intents from it. On a real venue with no journal yet,
    /// the single journal of older versions (`castor.sqlite`) becomes this venue's.
    private func openJournal() -> Result<Void, EngineError> {
        let dir = configuration.engine.stateDirectory
        let scope = Engine.journalScope(for: configuration)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            if configuration.venue == .simulator || configuration.venue == .paper {
                // Never adopted by the simulator (nor paper trading), whose ledger is new: a real venue's state
                // must not be set aside with the simulator's at its next start.
                if Journal.legacyJournalExists(stateDirectory: dir) {
                    log("journal").notice("journal from an older castor left in place for the first real venue", metadata: ["event": "journal.legacy_left_in_place",
                        "reason": "simulator_journal_separate",
                        "detail": "\(Journal.legacyFileName) has one journal for all venues; the first start on sandbox, production or a custom venue takes it over as its own (the simulator starts a journal of its own)",
                        "path": "\((dir as NSString).appendingPathComponent(Journal.legacyFileName))"])
                }
            } else if let moved = try Journal.adoptLegacyJournal(stateDirectory: dir, as: scope) {
                log("journal").notice("journal from an older castor adopted for this venue and account", metadata: ["event": "journal.legacy_adopted",
                    "reason": "legacy_journal",
                    "detail": "\(Journal.legacyFileName) kept one journal for every venue; it is now \(scope.fileName) (\(scope)). If it held another venue's or account's orders and fills, stop castor and rename it to that venue's castor.<venue>.<account>.sqlite",
                    "from": "\(moved.from)", "path": "\(moved.to)"])
            }
            let journal = try Journal(stateDirectory: dir, scope: scope)
            let (state, ledger) = try Engine.restoreLedger(from: journal)
            // The session's PnL counts from the first mark of each position carried in.
            router.pnl.carryIn(ledger.positions.mapValues(\.base))
            let generator = try ClientOrderIDGenerator(prefix: ownPrefix, boot: identity.bootToken,
                                                       lastCounter: UInt64(max(0, state.clientOrderCounter)))
            router.manager = OrderManager(generator: generator, ledger: ledger,
                                   configuration: Engine.managerConfiguration(configuration), seed: UInt64(truncatingIfNeeded: identity.startedAtMs))
            for open in state.openOrders {
                guard let id = ClientOrderID(open.intent.clientOrderID) else { continue }
                let i = open.intent
                let option = i.options.first.flatMap(OrderOption.init(rawValue:))
                let intent = OrderIntent(symbol: Symbol(i.symbol), side: i.side, amount: i.amount, price: i.price ?? .zero,
                                         option: option)
                router.manager.restore(intent, clientOrderID: id, orderID: open.lastEvent?.orderID.flatMap(VenueOrderID.init))
                router.intents[id] = IntentInfo(strategy: i.strategy, options: option, createdMs: i.createdMs)
            }
            try journal.setMeta("engine.boot", identity.bootToken)
            router.counterReservedThrough = state.clientOrderCounter
            journaling.journal = journal
            log("journal").info("journal opened", metadata: ["event": "journal.opened",
                "open_orders": "\(state.openOrders.count)",
                "fills": "\(state.positions.values.reduce(0) { $0 + $1.fillCount })",
                "counter": "\(state.clientOrderCounter)", "file": "\(scope.fileName)", "scope": "\(scope)",
                "path": "\(journal.path)"])
            return .success(())
        } catch {
            return .failure(.journal("\(dir): \(error)"))
        }
    }

    /// How long a fill's trade id stays in the ledger's memory after its symbol's newest
    /// fill, and how many at most: reconciliation's `/v1/mytrades` catch-up starts at the
    /// symbol's last fill, so the trades it asks about are almost all in this window; older
    /// ones are looked up in the journal (`JournalFillArchive`).
    static let fillWindowMs: Int64 = 60 * 60 * 1_000
    /// The cap matters when fills come fast: the soak (`castor-bench soak`) showed about
    /// 0.7 kB of dirty memory per fill kept, so 2,000 bound the ledger's share near 1.5 MB;
    /// anything older is answered by the journal, exactly, only more slowly.
    static let maxFillsInMemory = 2_000

    /// What start-up rebuilds from an open journal: its state (open orders, positions,
    /// counters) and the fill ledger. Public for `castor-bench journal-start`, which times
    /// exactly this against a large journal.
    ///
    /// Bounded work whatever the history: positions come from the journal's aggregate, and
    /// only each symbol's recent fills are read (`Journal.recentFills`).
    public static func restoreLedger(from journal: Journal) throws -> (JournalState, FillLedger) {
        let state = try journal.loadState()
        let retention = FillRetention(windowMs: fillWindowMs, maxFills: maxFillsInMemory,
                                      archive: JournalFillArchive(journal: journal, countedThroughRow: state.fillRowHighWater))
        let recent = try journal.recentFills(windowMs: fillWindowMs, limitPerSymbol: maxFillsInMemory)
            .compactMap(Engine.ledgerFill)
        var totals: [Symbol: FillTotals] = [:]
        for p in state.positions.values {
            totals[Symbol(p.symbol)] = FillTotals(base: p.base, quoteExcludingFees: p.quote, fees: p.fees, fillCount: p.fillCount)
        }
        let ledger = FillLedger(totals: totals, recent: recent, lastFillTimestampMs: state.lastFillMs.values.max(),
                                retention: retention)
        return (state, ledger)
    }

    private func makeClient(_ credentials: APICredentials) -> Result<Void, EngineError> {
        let context = EngineExecutionContext(queue: queue, endpoints: identity.endpoints, credentials: credentials,
                                             nonceFormat: configuration.account.nonceFormat,
                                             nonceFile: configuration.engine.stateDirectory + "/nonce-" + Engine.fileSafe(credentials.key),
                                             account: configuration.account.account, clock: clock)
        do {
            lane.venue = try connections.factory.makeExecution(context)
            return .success(())
        } catch {
            return .failure(.credentials("cannot set up the venue session: \(error)"))
        }
    }

    /// The venue and account whose journal an engine with `configuration` keeps: the
    /// venue's `identity` (`sim`, `production`, `sandbox`, `custom-<host>-<port>`) and the
    /// `[account] account` sub-account (nil: the key's own). The API key is not part of it,
    /// so a rotated key on the same venue and account keeps the journal and its open orders.
    public static func journalScope(for configuration: CastorConfiguration) -> JournalScope {
        JournalScope(venue: configuration.venue.identity, account: configuration.account.account)
    }

    /// Sets aside the journals the embedded simulator's earlier runs left in `stateDirectory`
    /// (`Journal.setAside`), before a new simulator starts: its ledger is new, so their open
    /// orders would never be found and its trade ids, which start from the same number
    /// again, would be taken for fills already journaled. Call it only while no engine has
    /// the simulator's journal open. Returns what was moved, for the log.
    public static func setAsideSimulatorJournals(stateDirectory: String, venue: VenueConfiguration = .simulator)
        -> Result<[JournalFileMove], EngineError> {
        do {
            return .success(try Journal.setAside(stateDirectory: stateDirectory, venue: venue.identity))
        } catch {
            return .failure(.journal("\(stateDirectory): setting aside the embedded simulator's previous journal: \(error)"))
        }
    }

    static func fileSafe(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    }

    /// A start-up REST call, retried per the retry policy; a final failure fails the start.
    /// Once running, a final failure calls `onGiveUp`. While stopping the call is dropped on
    /// failure unless `retryWhileStopping` (reconciliation: it still counts fills before the
    /// journal closes; the shutdown deadline bounds it).
    func startupCall<T: Sendable>(_ step: String, group: RateGroup = .private, attempt: Int = 0,
                                  retryWhileStopping: Bool = false,
                                  call: @escaping @Sendable (any VenueExecution, DispatchQueue,
                                                             @escaping @Sendable (Result<T, VenueFailure>) -> Void) -> Void,
                                  onGiveUp: (() -> Void)? = nil,
                                  then: @escaping (T) -> Void) {
        let box = UncheckedBox(then)
        let giveUp = UncheckedBox(onGiveUp)
        enqueue(step, kind: .query, group: group) { [weak self] venue, done in
            guard let self else { return }
            call(venue, self.queue) { result in
                self.noteOutcome(result.failureValue)
                switch result {
                case .success(let value):
                    done()
                    box.value(value)
                case .failure(let error):
                    let d = self.router.manager.configuration.retry.decide(error, kind: .query, attempt: attempt,
                                                                    now: self.now, rng: &self.lane.rng)
                    done()
                    guard self.phase == .starting || self.phase == .running
                        || (retryWhileStopping && self.phase == .stopping) else { return }
                    switch d.action {
                    case .retry(let at):
                        self.log("engine").warning("start-up call failed; retrying",
                                                   metadata: ["event": "engine.startup_call_failed", "step": "\(step)",
                                                              "reason": "\(error.code)", "detail": "\(error)"])
                        self.clock.schedule(on: self.queue, atMs: at) {
                            self.startupCall(step, group: group, attempt: attempt + 1, retryWhileStopping: retryWhileStopping,
                                             call: call, onGiveUp: giveUp.value, then: box.value)
                        }
                    default:
                        if self.phase == .starting {
                            self.run(self.lifecycle.startFailed(.exchange(step: step, "\(error)")))
                        } else {
                            self.log("engine").error("venue call gave up", metadata: ["event": "engine.rest_gave_up", "step": "\(step)",
                                                                             "reason": "\(error.code)", "detail": "\(error)"])
                            giveUp.value?()
                        }
                    }
                }
            }
        }
    }

    private func checkRoles() {
        startupCall("roles", call: { v, q, done in v.permissions(on: q, completion: done) }) { [weak self] (p: VenuePermissions) in
            guard let self else { return }
            if let refusal = Engine.rolesRefusal(p, allowFundManager: self.configuration.account.allowFundManager) {
                return self.report(.roles, .failure(.roles(refusal)))
            }
            if p.canWithdraw {
                self.log("engine").warning("the API key can withdraw funds; trading with it because [account] allow_fund_manager = true",
                                           metadata: ["event": "engine.key_can_withdraw", "reason": "allow_fund_manager",
                                                      "detail": "\(p.detail)"])
            }
            if !self.configuration.account.requireHeartbeat, self.configuration.venue == .production {
                self.log("engine").warning("the production key does not require heartbeats: orders outlive a dead daemon",
                                           metadata: ["event": "engine.heartbeat_not_required", "reason": "require_heartbeat_off",
                                                      "detail": "create the key with \"Requires Heartbeat\" and set [account] require_heartbeat = true, so Gemini cancels this session's orders 30 s after the daemon goes silent"])
            }
            self.log("engine").info("API key roles checked", metadata: ["event": "engine.roles_checked", "detail": "\(p.detail)",
                                                                      "can_withdraw": "\(p.canWithdraw)"])
            self.report(.roles, .success(()))
        }
    }

    /// Why a key with these roles must not start, with the fix; nil if it may.
    static func rolesRefusal(_ p: VenuePermissions, allowFundManager: Bool) -> String? {
        if p.isReadOnly {
            return "the key is read-only (Auditor role: \(p.detail)) and cannot trade: create a key with the Trader role"
        }
        guard p.canTrade else { return "the key may not trade (\(p.detail)): create a key with the Trader role" }
        if p.canWithdraw, !allowFundManager {
            return "the key can withdraw funds (Fund Manager role: \(p.detail)); a trading daemon needs only Trader: "
                + "create a trade-only key (Gemini: Settings → API, role Trader), or set [account] allow_fund_manager = true"
        }
        return nil
    }

    private func loadSymbolDetails(_ symbol: Symbol) {
        startupCall("symbol details \(symbol)", group: .public,
                    call: { v, q, done in v.symbolRules(symbol, on: q, completion: done) }) { [weak self] (d: VenueSymbolRules) in
            guard let self else { return }
            guard d.isOpen else { return self.report(.symbolDetails(symbol), .failure(.symbol("\(symbol) is \(d.status), not open"))) }
            self.market.symbolInfo[symbol] = self.noteSymbolDetails(symbol, d)
            self.report(.symbolDetails(symbol), .success(()))
        }
    }

    /// The trading rules of `symbol` from its details, logged.
    func noteSymbolDetails(_ symbol: Symbol, _ d: VenueSymbolRules) -> SymbolInfo {
        log("engine").info("symbol details", metadata: ["event": "engine.symbol_details", "symbol": "\(symbol)",
            "price_step": "\(d.priceStep)", "quantity_step": "\(d.quantityStep)", "min_order_size": "\(d.minOrderSize)"])
        return SymbolInfo(symbol: symbol.rawValue, base: d.base, quote: d.quote,
                          priceStep: d.priceStep, quantityStep: d.quantityStep, minOrderSize: d.minOrderSize)
    }

    private func loadBalances() {
        startupCall("balances", call: { [weak self] v, q, done in
            self?.market.balancesReadSent()
            v.balances(on: q, completion: done)
        }) { [weak self] (list: [VenueBalance]) in
            guard let self else { return }
            self.market.balancesRead(list, replacing: false)
            self.market.balanceRefresh.loaded(atMs: self.now)
            self.log("engine").info("balances loaded", metadata: ["event": "engine.balances_loaded", "currencies": "\(list.count)"])
            self.report(.balances, .success(()))
        }
    }

    /// Nil for a row the ledger cannot hold (an order id that is not a venue order id).
    static func ledgerFill(_ f: JournalFill) -> LedgerFill? {
        guard let orderID = VenueOrderID(f.orderID) else { return nil }
        return LedgerFill(tradeID: TradeID(f.tradeID), orderID: orderID, clientOrderID: f.clientOrderID.flatMap(ClientOrderID.init),
                   symbol: Symbol(f.symbol), side: f.side, price: f.price, amount: f.amount,
                   fee: f.fee, feeCurrency: f.feeCurrency, timestampMs: f.timestampMs,
                   isMaker: f.liquidity.map { $0 == .maker }, source: .myTrades)
    }
}

/// True for the first `claim()` only: settles a race between a completion and its
/// deadline. Confined to the engine queue (both callers run there).
final class FirstCall: @unchecked Sendable {
    private var claimed = false

    func claim() -> Bool {
        defer { claimed = true }
        return !claimed
    }
}

/// Carries a non-Sendable closure across a `@Sendable` boundary; it is only ever called
/// on the engine queue, where it was made.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
