import CastorCore
import CastorTrading
import Testing
@testable import CastorFeeds

@Suite("FeedConnectionStateMachine")
struct FeedConnectionStateMachineTests {
    typealias Machine = FeedConnectionStateMachine

    static let config = Machine.Configuration(
        backoff: Backoff(baseMs: 100, capMs: 1_000), heartbeatTimeoutMs: 15_000, staleAfterMs: 60_000, stableAfterMs: 30_000)

    /// A machine brought to `.live` at t = 0.
    static func live(seed: UInt64 = 1) -> Machine {
        var m = Machine(configuration: config, seed: seed)
        _ = m.start(nowMs: 0)
        _ = m.opened(nowMs: 0)
        _ = m.subscriptionConfirmed(nowMs: 0)
        return m
    }

    static func delay(in actions: [Machine.Action]) -> Int64? {
        for case .scheduleReconnect(let ms) in actions { return ms }
        return nil
    }

    @Test func happyPathConnectsSubscribesAndGoesLive() {
        var m = Machine(configuration: Self.config, seed: 1)
        #expect(m.start(nowMs: 0) == [.notify(.connecting), .connect])
        #expect(m.phase == .connecting)
        #expect(m.opened(nowMs: 10) == [.notify(.subscribing), .subscribe, .armTimer(afterMs: 10_000)])
        #expect(m.subscriptionConfirmed(nowMs: 20) == [.notify(.live)])
        #expect(m.phase == .live)
        // A second start or a late open changes nothing.
        #expect(m.start(nowMs: 30).isEmpty)
        #expect(m.opened(nowMs: 30).isEmpty)
    }

    @Test func connectFailureBeforeOpenReconnectsWithBackoff() {
        var m = Machine(configuration: Self.config, seed: 1)
        _ = m.start(nowMs: 0)
        let actions = m.connectionEnded(closeCode: nil, reason: "refused", nowMs: 5)
        #expect(m.phase == .reconnecting(cause: .connectFailed("refused"), attempt: 1))
        let delay = try! #require(Self.delay(in: actions))
        #expect((0...100).contains(delay))
        #expect(actions.first == .disarmTimer)
        #expect(actions.contains(.notify(.reconnecting(cause: .connectFailed("refused"), attempt: 1, delayMs: delay))))
        #expect(!actions.contains { if case .closeAndReconnect = $0 { true } else { false } })
        #expect(m.reconnectDue(nowMs: 200) == [.notify(.connecting), .connect])
    }

    @Test func peerCloseAndLossAreDistinguished() {
        var m = Self.live()
        _ = m.connectionEnded(closeCode: 1011, reason: "drop", nowMs: 1)
        #expect(m.phase == .reconnecting(cause: .closedByPeer(code: 1011, reason: "drop"), attempt: 1))
        var n = Self.live()
        _ = n.connectionEnded(closeCode: nil, reason: "eof", nowMs: 1)
        #expect(n.phase == .reconnecting(cause: .connectionLost("eof"), attempt: 1))
    }

    @Test func adapterDetectedFailuresCloseTheConnection() {
        for cause: FeedDisconnectCause in [.sequenceGap(expected: 4, received: 6), .decodeError("bad"),
                                           .crossedBook(symbol: "BTCUSD"), .heartbeatSequenceGap(expected: 1, received: 3)] {
            var m = Self.live()
            let actions = m.fail(cause, nowMs: 1)
            #expect(actions.first == .closeAndReconnect(cause))
            #expect(m.phase == .reconnecting(cause: cause, attempt: 1))
            // Events of the dropped connection are ignored.
            #expect(m.connectionEnded(closeCode: nil, reason: "cancelled", nowMs: 2).isEmpty)
            #expect(m.fail(.decodeError("late"), nowMs: 2).isEmpty)
        }
    }

    @Test func heartbeatSilenceIsDetectedByTheTimer() {
        var m = Self.live()
        m.heartbeatReceived(nowMs: 5_000)
        #expect(m.timerFired(nowMs: 15_000) == [.armTimer(afterMs: 5_000)])
        let actions = m.timerFired(nowMs: 20_000)
        #expect(actions.first == .closeAndReconnect(.heartbeatSilence(milliseconds: 15_000)))
    }

    @Test func unconfirmedSubscriptionTimesOut() {
        var m = Machine(configuration: Self.config, seed: 1)
        _ = m.start(nowMs: 0)
        _ = m.opened(nowMs: 0)
        m.heartbeatReceived(nowMs: 9_000)
        #expect(m.timerFired(nowMs: 9_000) == [.armTimer(afterMs: 1_000)])
        #expect(m.timerFired(nowMs: 10_000).first == .closeAndReconnect(.subscriptionTimeout(milliseconds: 10_000)))
    }

    @Test func staleMarketDataIsDetectedDespiteHeartbeats() {
        var m = Self.live()
        var t: Int64 = 0
        while t < 60_000 {
            t += 5_000
            m.heartbeatReceived(nowMs: t)
            let actions = m.timerFired(nowMs: t)
            if t < 60_000 { #expect(actions.count == 1) } else {
                #expect(actions.first == .closeAndReconnect(.staleMarketData(milliseconds: 60_000)))
            }
        }
    }

    @Test func dataKeepsTheFeedFresh() {
        var m = Self.live()
        m.heartbeatReceived(nowMs: 59_000)
        m.dataReceived(nowMs: 59_000)
        #expect(m.timerFired(nowMs: 60_000) == [.armTimer(afterMs: 14_000)])
    }

    @Test func backoffGrowsToTheCapAndStaysWithinBounds() {
        var m = Machine(configuration: Self.config, seed: 42)
        _ = m.start(nowMs: 0)
        var delays: [Int64] = []
        for attempt in 1...12 {
            let actions = m.connectionEnded(closeCode: nil, reason: "refused", nowMs: 0)
            let delay = try! #require(Self.delay(in: actions))
            let ceiling = Self.config.backoff.ceiling(attempt: attempt - 1)
            #expect((0...ceiling).contains(delay))
            #expect(m.failures == attempt)
            delays.append(delay)
            _ = m.reconnectDue(nowMs: 0)
        }
        #expect(delays.allSatisfy { $0 <= 1_000 })
        // Full jitter: the later delays are spread, not all equal to the cap.
        #expect(Set(delays.suffix(6)).count > 1)
    }

    @Test func sameSeedSameDelays() {
        func run(_ seed: UInt64) -> [Int64] {
            var m = Machine(configuration: Self.config, seed: seed)
            _ = m.start(nowMs: 0)
            return (0..<8).map { _ in
                defer { _ = m.reconnectDue(nowMs: 0) }
                return Self.delay(in: m.connectionEnded(closeCode: nil, reason: "x", nowMs: 0))!
            }
        }
        #expect(run(7) == run(7))
        #expect(run(7) != run(8))
    }

    @Test func backoffResetsAfterAStablePeriodOnly() {
        var m = Self.live()
        _ = m.fail(.decodeError("a"), nowMs: 10)        // attempt 1
        _ = m.reconnectDue(nowMs: 20)
        _ = m.opened(nowMs: 20)
        _ = m.subscriptionConfirmed(nowMs: 20)
        _ = m.fail(.decodeError("b"), nowMs: 1_000)     // live 980 ms: not stable
        #expect(m.failures == 2)
        _ = m.reconnectDue(nowMs: 1_000)
        _ = m.opened(nowMs: 1_000)
        _ = m.subscriptionConfirmed(nowMs: 1_000)
        _ = m.fail(.decodeError("c"), nowMs: 40_000)    // live 39 s ≥ 30 s: reset
        #expect(m.failures == 1)
        #expect(m.phase == .reconnecting(cause: .decodeError("c"), attempt: 1))
    }

    @Test func fatalErrorStopsReconnecting() {
        var m = Machine(configuration: Self.config, seed: 1)
        _ = m.start(nowMs: 0)
        let error = FeedFatalError.authenticationRejected(status: 401, body: "InvalidSignature")
        #expect(m.fatal(error) == [.close, .disarmTimer, .cancelReconnect, .notify(.failed(error))])
        #expect(m.phase == .failed(error))
        #expect(m.connectionEnded(closeCode: nil, reason: "x", nowMs: 1).isEmpty)
        #expect(m.reconnectDue(nowMs: 1).isEmpty)
        #expect(m.timerFired(nowMs: 1).isEmpty)
        // An explicit start after fixing the configuration tries again.
        #expect(m.start(nowMs: 2) == [.notify(.connecting), .connect])
    }

    @Test func stopIsFinalUntilStartedAgain() {
        var m = Self.live()
        #expect(m.stop() == [.close, .disarmTimer, .cancelReconnect, .notify(.idle)])
        #expect(m.stop().isEmpty)
        #expect(m.fail(.stopped, nowMs: 1).isEmpty)
        #expect(m.reconnectDue(nowMs: 1).isEmpty)
        #expect(m.timerFired(nowMs: 1).isEmpty)
        var r = Self.live()
        _ = r.fail(.decodeError("x"), nowMs: 1)
        #expect(r.stop().contains(.cancelReconnect))
        #expect(r.reconnectDue(nowMs: 2).isEmpty)
    }

    @Test func everyCauseHasACodeAndADescription() {
        let causes: [FeedDisconnectCause] = [
            .connectFailed("x"), .closedByPeer(code: 1011, reason: "r"), .connectionLost("x"),
            .sequenceGap(expected: 1, received: 3), .heartbeatSequenceGap(expected: 1, received: 3),
            .heartbeatSilence(milliseconds: 1), .staleMarketData(milliseconds: 1), .decodeError("x"),
            .crossedBook(symbol: "BTCUSD"), .exchangeError("x"), .subscriptionTimeout(milliseconds: 1), .stopped,
        ]
        #expect(Set(causes.map(\.code)).count == causes.count)
        #expect(causes.allSatisfy { !$0.description.isEmpty })
    }
}
