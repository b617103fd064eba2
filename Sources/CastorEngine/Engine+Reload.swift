import CastorConfig
import CastorFeeds
import CastorLog
import CastorStrategy
import CastorTrading
import Dispatch
import Logging

extension Engine {
    /// Applies `new` live; every fallible step runs before anything is changed.
    ///
    /// In place: strategy, its parameters, risk, rate limits, log level, feeds settings.
    /// A symbols change first fetches the added symbols' details (REST), then reconnects
    /// market data with the new list (see `applySymbols`). Venue, credentials and account
    /// are refused here: they need a new REST session, nonce source and feeds, i.e. a new
    /// engine, which the process shell builds (`EngineHost`).
    func reload(to new: CastorConfiguration, completion: @escaping @Sendable (Result<ReloadOutcome, EngineError>) -> Void) {
        let l = log("reload")
        /// `code` is the line's `reason`; `why` its `detail` and the caller's error.
        func refuse(_ code: String, _ why: String) {
            l.warning("reload refused", metadata: ["event": "reload.refused", "reason": "\(code)", "detail": "\(why)"])
            completion(.failure(.reloadRefused(why)))
        }
        if let why = lifecycle.reloadRefusal() {
            return refuse(phase == .running ? "reload_in_progress" : "not_running", why)
        }
        let changes = ConfigurationChanges(from: configuration, to: new)
        if changes.isEmpty {
            l.info("reload: no changes", metadata: ["event": "reload.unchanged"])
            return completion(.success(ReloadOutcome(changes: [], applied: [], reconnected: false, needsRestart: [])))
        }
        let session = changes.changes.filter { ConfigurationChanges.effect(of: $0) == .replaceEngine }
        if !session.isEmpty {
            return refuse("needs_new_engine", "\(session.map(\.rawValue).joined(separator: ", ")) changed: that needs a new REST session, "
                + "nonce source and feeds, i.e. a new engine (castor run replaces its engine on reload)")
        }

        // 1. Everything that can fail, symbols last (they need REST answers).
        let symbolsChanged = changes.changes.contains(.symbols)
        var replacement: (any Strategy)?
        if changes.changes.contains(.strategy) || symbolsChanged {
            // A new symbol list rebuilds the strategy (its `symbol` may default to the first).
            switch StrategyCatalog.make(new.strategy.selection, parameters: new.strategy.parameters,
                                        symbols: new.engine.symbols, extra: runner.extraFactories) {
            case .success(let s): replacement = s
            case .failure(let e): return refuse("strategy_invalid", "\(e)")
            }
        } else if changes.changes.contains(.strategyParameters), let slot = runner.slot {
            do {
                guard case .success(let params) = StrategyCatalog.convert(new.strategy.parameters, symbols: new.engine.symbols) else {
                    throw EngineError.strategy("strategy.params: unsupported value")
                }
                try slot.instance.reconfigure(parameters: params)
                slot.parameters = new.strategy.parameters
            } catch {
                return refuse("parameters_rejected", "strategy \(slot.name) rejected its parameters: \(error)")
            }
        }
        guard symbolsChanged, let replacement else {
            return completion(.success(commit(new, changes: changes, replacement: replacement, symbols: nil)))
        }
        let running = Set(configuration.engine.symbols.map { Symbol($0) })
        let added = new.engine.symbols.map { Symbol($0) }.filter { !running.contains($0) }
        lifecycle.reloadFetching()
        fetchSymbolDetails(added, collected: [:]) { [weak self] result in
            guard let self else { return }
            guard self.lifecycle.reloadFetched() else { return refuse("engine_stopped", "the engine stopped while symbol details were fetched") }
            let details: [Symbol: SymbolInfo]
            switch result {
            case .success(let d): details = d
            case .failure(let e): return refuse("symbol_unavailable", "\(e)")
            }
            // The new adapters are built before anything changes, too: a factory may throw.
            let books = MarketBooks(symbols: new.engine.symbols, queue: self.queue)
            let context = self.feedContext(books: books, feeds: new.feeds)
            let feeds: SymbolFeeds
            do {
                feeds = SymbolFeeds(books: books, market: try self.connections.factory.makeMarketData(context),
                                    orders: self.connections.factory.orderEventsFilteredBySymbol ? try self.connections.factory.makeOrderEvents(context) : nil)
            } catch {
                return refuse("market_data_unavailable", "market data for the new symbols: \(error)")
            }
            let outcome = self.commit(new, changes: changes, replacement: replacement,
                                      symbols: SymbolSwap(details: details, feeds: feeds))
            completion(.success(outcome))
        }
    }

    /// Applies a reload whose fallible steps all succeeded; nothing here fails.
    private func commit(_ new: CastorConfiguration, changes: ConfigurationChanges, replacement: (any Strategy)?,
                        symbols: SymbolSwap?) -> ReloadOutcome {
        var applied: [ConfigurationChanges.Change] = []
        let needsRestart = changes.changes.filter { ConfigurationChanges.effect(of: $0) == .restart }
        var kept = new
        kept.engine.stateDirectory = configuration.engine.stateDirectory
        kept.log.format = configuration.log.format
        let previous = configuration
        // Strategy start, reconciliation and the feeds read the symbol list from here.
        configuration = kept
        if let symbols, let replacement {
            applySymbols(symbols, from: previous, replacement: replacement)
            applied.append(.symbols)
        }
        for change in changes.liveChanges {
            switch change {
            case .strategy:
                // A symbols change installed the replacement already (with `on_switch`).
                if symbols == nil, let replacement {
                    switchStrategy(to: replacement, selection: new.strategy.selection, parameters: new.strategy.parameters,
                                   policy: new.strategy.onSwitch, cancelledAlready: [], why: "strategy switched",
                                   code: "strategy_changed")
                }
            case .strategyParameters, .shutdown, .feeds:
                break  // parameters: done above; shutdown: read at shutdown; feeds: next reconnect
            case .risk:
                applyRiskConfiguration(new.risk)
            case .rateLimits:
                router.manager.configuration = Engine.managerConfiguration(new)
                applyRateLimits(new.rateLimits)
            case .logLevel:
                if let level = Logger.Level(rawValue: new.log.level.rawValue) {
                    CastorLogging.setLevel(level)
                    logger.logLevel = level
                }
            default:
                break
            }
            applied.append(change)
        }
        let outcome = ReloadOutcome(changes: changes.changes, applied: applied, reconnected: symbols != nil,
                                    needsRestart: needsRestart)
        log("reload").notice("configuration reloaded", metadata: [
            "event": "reload.applied", "changes": "\(Engine.list(outcome.changes))", "applied": "\(Engine.list(outcome.applied))",
            "reconnected": "\(outcome.reconnected)", "needs_restart": "\(Engine.list(outcome.needsRestart))"])
        return outcome
    }

    /// A symbols change, after the added symbols' details came back: orders on removed
    /// symbols are cancelled, market data reconnects with the new list into new books (the
    /// removed symbols' books go with the old ones), the strategy is rebuilt for the new
    /// list (its orders on kept symbols follow `on_switch`), and a reconciliation runs as
    /// after any reconnect. The REST session stays; so does the order-events feed unless
    /// the factory filters it by symbol.
    private func applySymbols(_ swap: SymbolSwap, from previous: CastorConfiguration, replacement: any Strategy) {
        let wanted = Set(configuration.engine.symbols.map { Symbol($0) })
        let removed = Set(previous.engine.symbols.map { Symbol($0) }).subtracting(wanted)
        for (symbol, info) in swap.details { market.symbolInfo[symbol] = info }
        // Whoever placed them: nothing trades a symbol the configuration no longer lists.
        let onRemoved = router.manager.orders.keys.sorted().filter { id in
            let o = router.manager.orders[id]!.lifecycle
            return removed.contains(o.symbol) && o.phase.isOpen
        }
        for id in onRemoved { perform(router.manager.cancel(id, now: now)) }
        for symbol in removed { market.symbolInfo[symbol] = nil }
        let added = swap.details.keys.map(\.rawValue).sorted().joined(separator: ",")
        let dropped = removed.map(\.rawValue).sorted().joined(separator: ",")
        log("feeds").notice("reconnecting market data for the new symbols", metadata: ["event": "feeds.market_data_resubscribe",
            "reason": "symbols_changed", "symbols": "\(configuration.engine.symbols.joined(separator: ","))",
            "added": "\(added)", "removed": "\(dropped)", "cancelled_orders": "\(onRemoved.count)"])

        // The old adapters must not call back with symbol ids of the old books.
        connections.marketData?.delegate = nil
        connections.marketData?.stop()
        connections.status.marketData = .idle
        market.books = swap.feeds.books
        connections.marketData = swap.feeds.market
        swap.feeds.market.delegate = self
        if let orders = swap.feeds.orders {
            connections.orderEvents?.delegate = nil
            connections.orderEvents?.stop()
            connections.status.orderEvents = .idle
            connections.orderEvents = orders
            orders.delegate = self
        }

        switchStrategy(to: replacement, selection: configuration.strategy.selection, parameters: configuration.strategy.parameters,
                       policy: configuration.strategy.onSwitch, cancelledAlready: Set(onRemoved), why: "strategy rebuilt for the new symbols",
                       code: "symbols_changed")
        swap.feeds.orders?.start()
        swap.feeds.market.start()
        reconcile(.symbolsChanged, snapshot: nil)
    }

    /// The details of `symbols`, one public REST call each, in order; the first failure or
    /// closed symbol ends it (no retry: the reload is refused and can be sent again).
    private func fetchSymbolDetails(_ symbols: [Symbol], collected: [Symbol: SymbolInfo],
                                    completion: @escaping (Result<[Symbol: SymbolInfo], EngineError>) -> Void) {
        guard let symbol = symbols.first else { return completion(.success(collected)) }
        let box = UncheckedBox(completion)
        enqueue("symbol details \(symbol) (reload)", kind: .query, group: .public) { [weak self] venue, done in
            guard let self else { return }
            venue.symbolRules(symbol, on: self.queue) { result in
                self.noteOutcome(result.failureValue)
                done()
                switch result {
                case .failure(let e):
                    box.value(.failure(.symbol("\(symbol): the venue did not give its details: \(e)")))
                case .success(let d):
                    guard d.isOpen else { return box.value(.failure(.symbol("\(symbol) is \(d.status), not open"))) }
                    var next = collected
                    next[symbol] = self.noteSymbolDetails(symbol, d)
                    self.fetchSymbolDetails(Array(symbols.dropFirst()), collected: next, completion: box.value)
                }
            }
        }
    }

    /// Stops the old strategy and starts `instance`; the old strategy's open orders are
    /// cancelled, or offered to the new one with `hand-over` (those it declines are
    /// cancelled). Orders in `cancelledAlready` are neither offered nor cancelled again.
    /// `why` is the log line's message, `code` its `reason`.
    private func switchStrategy(to instance: any Strategy, selection: StrategySelection,
                                parameters: StrategyParameterTable, policy: StrategySwitchPolicy,
                                cancelledAlready: Set<ClientOrderID>, why: String, code: String) {
        let old = runner.slot
        stopStrategy()
        let oldName = old?.name
        let owned = router.manager.orders.keys.sorted().filter {
            router.intents[$0]?.strategy == oldName && router.manager.orders[$0]!.lifecycle.phase.isOpen && !cancelledAlready.contains($0)
        }
        var toCancel = owned
        if policy == .handOver {
            let views = owned.compactMap { id in router.manager.order(id).flatMap { o in router.intents[id].map { orderView(o, info: $0) } } }
            let declined = Set(instance.adopt(openOrders: views))
            toCancel = owned.filter { declined.contains($0.rawValue) }
            for id in owned where !declined.contains(id.rawValue) { router.intents[id] = router.intents[id].map {
                IntentInfo(strategy: selection.name, options: $0.options, createdMs: $0.createdMs, reported: $0.reported)
            } }
        }
        for id in toCancel { perform(router.manager.cancel(id, now: now)) }
        log("reload").notice("\(why)", metadata: [
            "event": "reload.strategy_switched", "reason": "\(code)", "strategy": "\(selection.name)",
            "from": "\(oldName ?? "")", "policy": "\(policy.rawValue)",
            "handed_over": "\(owned.count - toCancel.count)", "cancelled": "\(toCancel.count)"])
        install(StrategySlot(name: selection.name, selection: selection, instance: instance, parameters: parameters))
    }

    /// Changes as one comma-separated log field (empty: none).
    static func list(_ changes: [ConfigurationChanges.Change]) -> String {
        changes.map(\.rawValue).joined(separator: ",")
    }

    /// New token buckets take effect at once; the queue, the request in flight and any
    /// lease stay, so the one-at-a-time rule holds across the swap.
    func applyRateLimits(_ r: RateLimitConfiguration) {
        lane.scheduler.setBuckets(privateBucket: Engine.privateBucket(r, nonceFormat: configuration.account.nonceFormat),
                                  publicBucket: Engine.bucket(r.publicPerSecond, r.publicBurst))
        pumpScheduler()
    }
}

/// The books and adapters a symbols reload switches to.
struct SymbolFeeds {
    let books: MarketBooks
    let market: any MarketDataFeedAdapter
    /// Only when the order-events adapter is filtered by symbol.
    let orders: (any OrderEventsFeedAdapter)?
}

/// What a symbols reload fetched and built before changing anything.
struct SymbolSwap {
    /// Trading rules of the added symbols.
    let details: [Symbol: SymbolInfo]
    let feeds: SymbolFeeds
}
