import CastorCore
import CastorEngine
import CastorFeeds
import CastorTrading
import Dispatch
import Synchronization
import Testing

/// The key's one ordered queue inside the engine, on virtual time: an order-events
/// adapter's handshake borrows the private slot from the engine's `RequestScheduler`
/// (`EngineFeedContext.keySlot`), and no venue call goes out while it holds it.
@Suite(.serialized) struct EngineKeySlotTests {
    /// Borrows the key's slot as it connects (as Gemini's adapter does for its signed
    /// upgrade) and holds it until the test releases it, then reports live.
    final class BorrowingOrderEvents: OrderEventsFeedAdapter, @unchecked Sendable {
        weak var delegate: (any OrderEventsFeedDelegate)?
        private(set) var state: FeedConnectionState = .idle
        let slot: any KeySlotLender
        let clock: EngineClock
        let maximumHoldMs: Int64
        /// Set on the engine queue when the slot is lent.
        private(set) var loan: KeySlotLoan?
        private(set) var grantedAtMs: Int64?
        private(set) var refusals: [KeySlotRefusal] = []

        init(_ context: EngineFeedContext, maximumHoldMs: Int64) {
            slot = context.keySlot
            clock = context.clock
            self.maximumHoldMs = maximumHoldMs
        }

        func start() {
            state = .connecting
            slot.borrowSlot(waitMs: 10_000, maximumHoldMs: maximumHoldMs) { [self] result in
                switch result {
                case .success(let l):
                    loan = l
                    grantedAtMs = clock.nowMs()
                case .failure(let r):
                    refusals.append(r)
                }
                state = .live
                delegate?.orderEventsFeed(self, didChangeState: .live)
                delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: [])
            }
        }

        func release() { loan?.release() }

        func stop() { state = .idle }
    }

    final class Made: @unchecked Sendable {
        let adapter = Mutex<BorrowingOrderEvents?>(nil)
        var value: BorrowingOrderEvents? { adapter.withLock { $0 } }
    }

    static func harness(maximumHoldMs: Int64) throws -> (EngineVirtualTimeTests.Harness, Made) {
        let made = Made()
        let h = try EngineVirtualTimeTests.Harness(orders: [(.buy, 49_995, "0.02")], orderEvents: { context in
            let adapter = BorrowingOrderEvents(context, maximumHoldMs: maximumHoldMs)
            made.adapter.withLock { $0 = adapter }
            return adapter
        })
        return (h, made)
    }

    @Test func noVenueCallLeavesWhileTheHandshakeHoldsTheSlotAndTheQueueMovesOnAtItsRelease() async throws {
        let (h, made) = try Self.harness(maximumHoldMs: 60_000)
        let started = Mutex(false)
        h.queue.async { h.engine.start { _ in started.withLock { $0 = true } } }
        #expect(h.advance(untilWithinMs: 10_000) { h.on { made.value?.loan != nil } }, "the slot was never lent")
        let callsAtGrant = h.venue.calls.count
        // Start-up's reconciliation waits behind the loan, however much virtual time passes.
        h.advance(byMs: 20_000)
        #expect(h.venue.calls.count == callsAtGrant, "venue calls while the slot was lent: \(h.venue.calls.dropFirst(callsAtGrant))")
        #expect(!started.withLock { $0 })
        h.on { made.value?.release() }
        #expect(h.advance(untilWithinMs: 10_000) { started.withLock { $0 } })
        #expect(h.firstPlacement() != nil, "the strategy never placed: \(h.venue.calls)")
        #expect(!h.log.records.contains { $0.metadata["event"] == "rest.lease_revoked" })
        _ = h.shutdown()
    }

    @Test func aLoanNeverReleasedIsRevokedAtItsMaximumHold() async throws {
        let (h, made) = try Self.harness(maximumHoldMs: 5_000)
        let started = Mutex(false)
        h.queue.async { h.engine.start { _ in started.withLock { $0 = true } } }
        #expect(h.advance(untilWithinMs: 10_000) { h.on { made.value?.loan != nil } }, "the slot was never lent")
        let grantedAt = try #require(h.on { made.value?.grantedAtMs })
        let callsAtGrant = h.venue.calls.count
        #expect(h.advance(untilWithinMs: 10_000) { h.venue.calls.count > callsAtGrant })
        // The queue moved on exactly when the hold ended, not before.
        #expect(h.clock.nowMs >= grantedAt + 5_000)
        let revoked = try #require(h.log.records.first { $0.metadata["event"] == "rest.lease_revoked" })
        #expect(revoked.metadata["reason"] == "maximum_hold")
        #expect(h.advance(untilWithinMs: 10_000) { started.withLock { $0 } })
        // The late release frees nothing: it is ignored.
        h.on { made.value?.release() }
        #expect(h.firstPlacement() != nil)
        _ = h.shutdown()
    }
}
