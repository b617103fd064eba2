import CastorCore
import CastorEngine
import Testing

/// The engine's lifecycle without an engine: each event and the action it asks for.
@Suite struct EngineLifecycleTests {
    static let btc = Symbol("BTCUSD")
    static let eth = Symbol("ETHUSD")

    /// Runs the start-up to the point where the feeds were started.
    static func startedFeeds(symbols: [Symbol] = [btc]) -> EngineLifecycle {
        var l = EngineLifecycle()
        var action = l.start(symbols: symbols)
        while case .run(let step) = action {
            action = l.stepSucceeded(step)
        }
        return l
    }

    @Test func startUpRunsItsStepsInOrderOneAtATime() {
        var l = EngineLifecycle()
        var steps: [EngineLifecycle.StartupStep] = []
        var action = l.start(symbols: [Self.btc, Self.eth])
        while case .run(let step) = action {
            steps.append(step)
            #expect(l.phase == .starting)
            #expect(l.currentStep == step)
            action = l.stepSucceeded(step)
        }
        #expect(steps == [.openJournal, .openSession, .roles, .symbolDetails(Self.btc), .symbolDetails(Self.eth),
                          .balances, .reconcile, .connectFeeds])
        // Started feeds are not enough: nothing runs until both are live and reconciled.
        #expect(action == .none)
        #expect(l.phase == .starting)
    }

    @Test func aLateOrRepeatedStepReportIsIgnored() {
        var l = EngineLifecycle()
        _ = l.start(symbols: [Self.btc])
        #expect(l.stepSucceeded(.roles) == .none, "not the current step")
        #expect(l.stepSucceeded(.openJournal) == .run(.openSession))
        #expect(l.stepSucceeded(.openJournal) == .none, "reported twice")
        #expect(l.currentStep == .openSession)
    }

    @Test func theStrategyStartsOnlyOnceBothFeedsAreLiveAndTheFirstReconciliationEnded() {
        var l = Self.startedFeeds()
        #expect(l.feedLive(.marketData) == .none)
        #expect(l.reconciledAfterConnect() == .none)
        #expect(l.phase == .starting)
        #expect(l.feedLive(.orderEvents) == .startStrategy)
        // The engine is running while the strategy's `start` runs, so it may place orders.
        #expect(l.phase == .running)
        #expect(l.hasReconciledAfterConnect)
    }

    @Test func aFeedLostAgainBeforeTheOtherCameUpIsWaitedFor() {
        var l = Self.startedFeeds()
        #expect(l.feedLive(.marketData) == .none)
        l.feedLost(.marketData)
        #expect(l.reconciledAfterConnect() == .none)
        #expect(l.feedLive(.orderEvents) == .none, "market data went away again")
        #expect(l.feedLive(.marketData) == .startStrategy)
    }

    @Test func feedsLiveBeforeTheConnectStepReportedAreCounted() {
        // A feed adapter may report live from inside `start()`.
        var l = EngineLifecycle()
        var action = l.start(symbols: [])
        while case .run(let step) = action, step != .connectFeeds { action = l.stepSucceeded(step) }
        #expect(l.currentStep == .connectFeeds)
        #expect(l.feedLive(.marketData) == .none)
        #expect(l.feedLive(.orderEvents) == .none)
        #expect(l.reconciledAfterConnect() == .none)
        #expect(l.stepSucceeded(.connectFeeds) == .startStrategy)
    }

    @Test func aFailedStepFailsTheStartAndLaterAnswersChangeNothing() {
        var l = EngineLifecycle()
        _ = l.start(symbols: [Self.btc])
        _ = l.stepSucceeded(.openJournal)
        _ = l.stepSucceeded(.openSession)
        #expect(l.stepFailed(.roles, .roles("no Trader role")) == .failStart(.roles("no Trader role")))
        #expect(l.phase == .failed)
        #expect(l.stepSucceeded(.roles) == .none)
        #expect(l.feedLive(.marketData) == .none)
        #expect(l.startFailed(.feeds("x")) == .none, "a start fails once")
        #expect(!l.hasReconciledAfterConnect)
    }

    @Test func aFeedThatGivesUpFailsTheStartButOnlyEngagesTheKillSwitchWhileRunning() {
        var starting = Self.startedFeeds()
        #expect(starting.feedFailed(.marketData, "refused") == .failStart(.feeds("market data: refused")))
        #expect(starting.phase == .failed)

        var running = Self.startedFeeds()
        _ = running.feedLive(.marketData)
        _ = running.feedLive(.orderEvents)
        #expect(running.reconciledAfterConnect() == .startStrategy)
        #expect(running.feedFailed(.marketData, "refused") == .none, "market data reconnects on its own")
        #expect(running.feedFailed(.orderEvents, "refused") == .engageKillSwitch(reason: "order events feed failed: refused"))
        #expect(running.phase == .running)
    }

    @Test func aStrategyThatCannotStartFailsTheStart() {
        var l = Self.startedFeeds()
        _ = l.feedLive(.marketData)
        _ = l.feedLive(.orderEvents)
        #expect(l.reconciledAfterConnect() == .startStrategy)
        #expect(l.strategyFailedToStart(.strategy("unknown")) == .failStart(.strategy("unknown")))
        #expect(l.phase == .failed)
    }

    @Test func startIsRefusedTwice() {
        var l = EngineLifecycle()
        _ = l.start(symbols: [])
        #expect(l.start(symbols: []) == .refuse("start called in phase starting"))
    }

    @Test func reloadIsAStateOneAtATimeAndOnlyWhileRunning() {
        var l = EngineLifecycle()
        #expect(l.reloadRefusal() == "the engine is created, not running")
        l = Self.startedFeeds()
        _ = l.feedLive(.marketData)
        _ = l.feedLive(.orderEvents)
        _ = l.reconciledAfterConnect()
        #expect(l.reloadRefusal() == nil)
        l.reloadFetching()
        #expect(l.isReloading)
        #expect(l.reloadRefusal() == "the previous reload is still fetching symbol details; send it again shortly")
        #expect(l.phase == .running)
        let stillRunning = l.reloadFetched()
        #expect(stillRunning)
        #expect(!l.isReloading)
        #expect(l.reloadRefusal() == nil)
    }

    @Test func aReloadWhoseAnswersComeBackAfterTheShutdownBeganIsRefused() {
        var l = Self.startedFeeds()
        _ = l.feedLive(.marketData)
        _ = l.feedLive(.orderEvents)
        _ = l.reconciledAfterConnect()
        l.reloadFetching()
        #expect(l.shutdownRequested() == .beginShutdown(wasRunning: true, abandonsStart: false))
        let stillRunning = l.reloadFetched()
        #expect(!stillRunning)
        #expect(l.phase == .stopping)
    }

    @Test func shutdownFromEachPhase() {
        var created = EngineLifecycle()
        #expect(created.shutdownRequested() == .beginShutdown(wasRunning: false, abandonsStart: false))

        var starting = Self.startedFeeds()
        #expect(starting.shutdownRequested() == .beginShutdown(wasRunning: false, abandonsStart: true))
        // The start abandoned, its late events change nothing.
        #expect(starting.feedLive(.marketData) == .none)
        #expect(starting.feedFailed(.orderEvents, "x") == .none)
        #expect(starting.shutdownRequested() == .refuse("shutdown already stopping"))
        starting.shutdownFinished()
        #expect(starting.phase == .stopped)
        #expect(starting.shutdownRequested() == .refuse("shutdown already stopped"))

        var failed = EngineLifecycle()
        _ = failed.start(symbols: [])
        _ = failed.stepFailed(.openJournal, .journal("read-only"))
        #expect(failed.shutdownRequested() == .beginShutdown(wasRunning: false, abandonsStart: false))
    }
}
