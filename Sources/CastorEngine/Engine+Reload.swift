import CastorConfig
import CastorLog
import CastorStrategy
import CastorTrading
import Logging

extension Engine {
    /// Applies `new` live; every fallible step runs before anything is changed.
    func reload(to new: CastorConfiguration) -> Result<ReloadOutcome, EngineError> {
        guard phase == .running else { return .failure(.reloadRefused("the engine is \(phase.rawValue), not running")) }
        let changes = ConfigurationChanges(from: configuration, to: new)
        let l = log("reload")
        if changes.isEmpty {
            l.info("reload: no changes")
            return .success(ReloadOutcome(changes: [], applied: [], reconnected: false, needsRestart: []))
        }
        if changes.requiresReconnect {
            let which = changes.changes.filter { ConfigurationChanges.effect(of: $0) == .reconnect }.map(\.rawValue)
            let e = EngineError.reloadRefused("\(which.joined(separator: ", ")) changed: these need new connections "
                + "and symbol checks; restart the service to apply them")
            l.warning("reload refused", metadata: ["reason": "\(e)"])
            return .failure(e)
        }

        // 1. Everything that can fail.
        let switching = changes.changes.contains(.strategy)
        var replacement: (any Strategy)?
        if switching {
            switch StrategyCatalog.make(new.strategy.selection, parameters: new.strategy.parameters,
                                      symbols: new.engine.symbols, extra: extraStrategies) {
            case .success(let s): replacement = s
            case .failure(let e):
                l.warning("reload refused", metadata: ["reason": "\(e)"])
                return .failure(.reloadRefused("\(e)"))
            }
        } else if changes.changes.contains(.strategyParameters), let slot = strategy {
            do {
                guard case .success(let params) = StrategyCatalog.convert(new.strategy.parameters, symbols: new.engine.symbols) else {
                    throw EngineError.strategy("strategy.params: unsupported value")
                }
                try slot.instance.reconfigure(parameters: params)
                slot.parameters = new.strategy.parameters
            } catch {
                l.warning("reload refused: strategy rejected its new parameters", metadata: ["reason": "\(error)"])
                return .failure(.reloadRefused("strategy \(slot.name) rejected its parameters: \(error)"))
            }
        }

        // 2. Nothing below fails.
        var applied: [ConfigurationChanges.Change] = []
        let needsRestart = changes.changes.filter { ConfigurationChanges.effect(of: $0) == .restart }
        for change in changes.liveChanges {
            switch change {
            case .strategy:
                if let replacement { switchStrategy(to: replacement, selection: new.strategy.selection,
                                                    parameters: new.strategy.parameters, policy: new.strategy.onSwitch) }
            case .strategyParameters, .shutdown, .feeds:
                break  // parameters: done above; shutdown: read at shutdown; feeds: next reconnect
            case .risk:
                applyRiskConfiguration(new.risk)
            case .rateLimits:
                pendingRateLimits = new.rateLimits
                manager.configuration = Engine.managerConfiguration(new)
                applyPendingRateLimits()
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
        var kept = new
        kept.engine.stateDirectory = configuration.engine.stateDirectory
        kept.log.format = configuration.log.format
        configuration = kept
        let outcome = ReloadOutcome(changes: changes.changes, applied: applied, reconnected: false, needsRestart: needsRestart)
        l.notice("configuration reloaded", metadata: ["reason": "\(outcome)"])
        return .success(outcome)
    }

    /// Stops the old strategy and starts `instance`; the old strategy's open orders are
    /// cancelled, or offered to the new one with `hand-over` (those it declines are cancelled).
    private func switchStrategy(to instance: any Strategy, selection: StrategySelection,
                                parameters: CastorConfig.StrategyParameters, policy: StrategySwitchPolicy) {
        let old = strategy
        stopStrategy()
        let oldName = old?.name
        let owned = manager.orders.keys.sorted().filter { intents[$0]?.strategy == oldName && manager.orders[$0]!.lifecycle.phase.isOpen }
        var toCancel = owned
        if policy == .handOver {
            let views = owned.compactMap { id in manager.order(id).flatMap { o in intents[id].map { orderView(o, info: $0) } } }
            let declined = Set(instance.adopt(openOrders: views))
            toCancel = owned.filter { declined.contains($0.rawValue) }
            for id in owned where !declined.contains(id.rawValue) { intents[id] = intents[id].map {
                IntentInfo(strategy: selection.name, options: $0.options, createdMs: $0.createdMs, reported: $0.reported)
            } }
        }
        for id in toCancel { perform(manager.cancel(id, now: now)) }
        log("reload").notice("strategy switched", metadata: [
            "strategy": "\(selection.name)",
            "reason": "from \(oldName ?? "none"), \(policy.rawValue): \(owned.count - toCancel.count) handed over, \(toCancel.count) cancelled"])
        install(StrategySlot(name: selection.name, selection: selection, instance: instance, parameters: parameters))
    }

    /// New token buckets take effect when no private request is in flight, so the
    /// one-at-a-time rule holds across the swap.
    func applyPendingRateLimits() {
        guard let r = pendingRateLimits, scheduler.privateInFlight == nil else { return }
        pendingRateLimits = nil
        var fresh = RequestScheduler<RESTJob>(privateBucket: Engine.bucket(r.privatePerSecond, r.privateBurst),
                                             publicBucket: Engine.bucket(r.publicPerSecond, r.publicBurst))
        for q in scheduler.queue {
            fresh.enqueue(q.payload, kind: q.kind, group: q.group, now: q.enqueuedAtMs, notBeforeMs: q.notBeforeMs,
                          deadlineMs: q.deadlineMs)
        }
        scheduler = fresh
        pumpScheduler()
    }
}
