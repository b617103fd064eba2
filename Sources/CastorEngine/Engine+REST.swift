import CastorCore
import CastorTrading
import Dispatch
import Logging

/// One venue call (or lease of the key's slot) waiting in the engine's `RequestScheduler`.
///
/// `run` starts the call and must call `done` exactly once on the engine queue after the
/// result has been handled; only then is the next private request released, so signed
/// requests leave strictly one at a time (nonce order = wire order).
struct RESTJob: Sendable {
    let label: String
    /// Set for `/v1/order/new` sends, so a queued send can be withdrawn or reported dropped.
    let newOrderID: ClientOrderID?
    let run: @Sendable (_ venue: any VenueExecution, _ done: @escaping @Sendable () -> Void) -> Void
    /// Told when the job leaves the queue unrun (its deadline passed, or the queue retired).
    var expired: (@Sendable () -> Void)? = nil
}

/// The engine's `KeySlotLender` for the feed adapters: a weak handle, so an adapter the
/// engine owns does not keep the engine alive.
final class EngineKeySlot: KeySlotLender, @unchecked Sendable {
    // Written once in init; read on the engine queue.
    private weak var engine: Engine?

    init(engine: Engine) { self.engine = engine }

    func borrowSlot(waitMs: Int64, maximumHoldMs: Int64,
                    _ granted: @escaping @Sendable (Result<KeySlotLoan, KeySlotRefusal>) -> Void) {
        guard let engine else { return granted(.failure(.retired)) }
        engine.lendKeySlot(waitMs: waitMs, maximumHoldMs: maximumHoldMs, granted)
    }
}

extension Engine {
    /// A quote that could not be sent within this time is stale: dropped, never sent late.
    static let newOrderDeadlineMs: Int64 = 10_000
    /// With `require_heartbeat`, a heartbeat goes out after this much private silence
    /// (Gemini cancels after 30 s; its docs ask for ≤ 15 s).
    static let heartbeatIdleMs: Int64 = 10_000

    /// Queues a venue call.
    func enqueue(_ label: String, kind: RequestKind, group: RateGroup = .private, notBeforeMs: Int64? = nil,
                 deadlineMs: Int64? = nil, newOrderID: ClientOrderID? = nil,
                 run: @escaping @Sendable (any VenueExecution, @escaping @Sendable () -> Void) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        lane.scheduler.enqueue(RESTJob(label: label, newOrderID: newOrderID, run: run), kind: kind, group: group, now: now,
                          notBeforeMs: notBeforeMs, deadlineMs: deadlineMs)
        pumpScheduler()
    }

    /// Queues a lease of the key's slot (the order-events handshake) in the one queue; see
    /// `KeySlotLender`.
    func lendKeySlot(waitMs: Int64, maximumHoldMs: Int64,
                     _ granted: @escaping @Sendable (Result<KeySlotLoan, KeySlotRefusal>) -> Void) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard lane.venue != nil, !lane.scheduler.isRetired else { return granted(.failure(.retired)) }
        let t = now
        let (deadline, overflow) = t.addingReportingOverflow(max(0, waitMs))
        let queue = queue
        let job = RESTJob(label: "key_slot_lease", newOrderID: nil, run: { _, done in
            // The holder may release from anywhere; the slot is freed on the engine queue.
            granted(.success(KeySlotLoan { queue.async(execute: done) }))
        }, expired: { granted(.failure(.expired)) })
        lane.scheduler.enqueueLease(job, now: t, deadlineMs: overflow ? nil : deadline, maximumHoldMs: maximumHoldMs)
        pumpScheduler()
    }

    /// Sends whatever the scheduler allows now; arms a wake-up for the rest.
    func pumpScheduler() {
        dispatchPrecondition(condition: .onQueue(queue))
        guard let venue = lane.venue else { return }
        while true {
            let t = now
            switch lane.scheduler.next(now: t) {
            case .send(let request):
                let id = request.id
                if let orderID = request.payload.newOrderID, let refusal = newOrderGate() {
                    // Taken from the queue but never sent: the slot is free again.
                    lane.scheduler.complete(id)
                    log("rest").notice("new order withheld at the last moment", metadata: ["event": "rest.new_order_withheld",
                        "client_order_id": "\(orderID)", "reason": "\(router.risk.killSwitchEngaged ? "kill_switch" : "not_running")",
                        "detail": "\(refusal)"])
                    perform(router.manager.newOrderRefused(orderID, reason: refusal, now: t))
                    continue
                }
                // A lease is no REST call: it does not keep a heartbeat session alive.
                if request.group == .private, !request.isLease { lane.lastPrivateSendMs = t }
                identity.metrics.request(request.payload.label)
                request.payload.run(venue) { [weak self] in
                    guard let self else { return }
                    dispatchPrecondition(condition: .onQueue(self.queue))
                    self.lane.scheduler.complete(id)
                    self.pumpScheduler()
                }
            case .revoked(let request, let why):
                log("rest").warning("key slot taken back from its lease", metadata: [
                    "event": "rest.lease_revoked", "label": "\(request.payload.label)", "reason": "\(why.rawValue)"])
            case .expired(let request):
                request.payload.expired?()
                if let id = request.payload.newOrderID {
                    log("rest").notice("new order dropped unsent: its deadline passed in the queue",
                                       metadata: ["event": "rest.new_order_expired", "client_order_id": "\(id)", "reason": "deadline"])
                    perform(router.manager.newOrderDropped(id, now: t))
                }
            case .wait(let until):
                armSchedulerWake(at: until)
                return
            case .idle:
                return
            }
        }
    }

    /// Why no new order may leave now, or nil: the kill switch, or the engine no longer
    /// trading (stopping, failed). Checked as each new-order request leaves the queue, so
    /// one queued before the switch or the shutdown never goes out after it.
    func newOrderGate() -> String? {
        if router.risk.killSwitchEngaged { return "kill switch engaged" }
        guard phase == .running else { return "engine is \(phase.rawValue)" }
        return nil
    }

    private func armSchedulerWake(at ms: Int64) {
        lane.wake?.cancel()
        lane.wake = clock.schedule(on: queue, atMs: ms) { [weak self] in self?.pumpScheduler() }
    }

    /// Removes a queued (unsent) new order; true if it was still queued.
    func withdrawQueuedNewOrder(_ id: ClientOrderID) -> Bool {
        !lane.scheduler.removeQueued(where: { $0.payload.newOrderID == id }).isEmpty
    }

    /// Throttles the private group after a rate-limit answer, and notes success otherwise.
    /// The order manager decides about the request itself; this is about everyone else.
    func noteOutcome(_ failure: VenueFailure?) {
        guard let failure else {
            lane.consecutiveBackOffs = 0
            return
        }
        guard failure.classification == .backOff else { return }
        identity.metrics.rateLimitedAnswer()
        let d = router.manager.configuration.retry.decide(failure, kind: .query, attempt: lane.consecutiveBackOffs, now: now, rng: &lane.rng)
        lane.consecutiveBackOffs += 1
        if let until = d.pauseGroupUntilMs {
            lane.scheduler.pause(.private, untilMs: until)
            log("rest").warning("rate limited: private requests paused",
                                metadata: ["event": "rest.rate_limited", "reason": "\(failure.code)", "detail": "\(failure)",
                                          "until_ms": "\(until)"])
        }
    }

    /// A `/v1/heartbeat` when the session has been quiet, if the key requires heartbeats.
    func heartbeatIfIdle() {
        guard configuration.account.requireHeartbeat, phase == .running || phase == .starting else { return }
        guard now - lane.lastPrivateSendMs >= Engine.heartbeatIdleMs, lane.scheduler.privateInFlight == nil,
              !lane.scheduler.queue.contains(where: { $0.group == .private }) else { return }
        enqueue("heartbeat", kind: .query) { [weak self] venue, done in
            guard let self else { return }
            venue.heartbeat(on: self.queue) { result in
                if case .failure(let e) = result {
                    self.log("rest").warning("heartbeat failed", metadata: ["event": "rest.heartbeat_failed", "reason": "\(e.code)",
                                                                         "detail": "\(e)"])
                }
                self.noteOutcome(result.failureValue)
                done()
            }
        }
    }
}

extension Result {
    /// The failure, or nil on success.
    var failureValue: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
