import CastorCore
import CastorEngine
import CastorFeeds
import CastorTrading
import Dispatch

/// The order-events feed of a `ChaosVenue`, behaving as the Gemini adapter does towards
/// the engine: on each connect `.live`, then the `initial` snapshot of the working orders
/// and its completion (the engine reconciles); then one message per event.
///
/// What goes wrong: an event the venue's generator marks lost is not delivered, and the
/// next message (or the 5 s heartbeat) reveals the gap, so the adapter reconnects without
/// delivering that message either (as on a `socket_sequence` gap); a connection the test
/// drops loses whatever was in flight. Every event of a connection that is down is lost:
/// only the next connect's snapshot and the engine's reconciliation can recover it.
///
/// Confined to the engine queue (the venue publishes from calls made on it).
final class ChaosOrderEvents: OrderEventsFeedAdapter, @unchecked Sendable {
    weak var delegate: (any OrderEventsFeedDelegate)?
    private(set) var state: FeedConnectionState = .idle
    private let venue: ChaosVenue
    private let queue: DispatchQueue
    private let clock: EngineClock
    /// The connection number; messages in flight from an earlier one are lost.
    private var epoch = 0
    /// An event of this connection was lost and nothing has noticed yet.
    private var gap = false
    private var heartbeat: ScheduledTimer?
    private var reconnect: ScheduledTimer?

    init(venue: ChaosVenue, context: EngineFeedContext) {
        self.venue = venue
        queue = context.queue
        clock = context.clock
    }

    func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        venue.attach(self)
        heartbeat = clock.repeating(on: queue, everyMs: 5_000) { [weak self] in
            guard let self, self.state == .live, self.gap else { return }
            self.fail(.heartbeatSequenceGap(expected: 1, received: 2))
        }
        venue.work.async(on: queue) { [weak self] in self?.open() }
    }

    func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        venue.trace("feed stop")
        epoch += 1
        state = .idle
        heartbeat?.cancel()
        reconnect?.cancel()
    }

    /// Drops a live connection for `cause`; false if it was not live.
    func drop(_ cause: FeedDisconnectCause) -> Bool {
        dispatchPrecondition(condition: .onQueue(queue))
        guard state == .live else { return false }
        fail(cause)
        return true
    }

    /// The venue's events, one message each, delivered after one hop unless lost.
    func publish(_ reports: [OrderReport]) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard state == .live else { return venue.noteLostWhileDown(reports.count) }
        let sent = epoch
        let messages = reports.map { (report: $0, lost: venue.losesEvent()) }
        venue.trace("feed publish \(messages.count) lost \(messages.filter(\.lost).count)")
        venue.work.async(on: queue) { [weak self] in
            guard let self else { return }
            for (i, m) in messages.enumerated() {
                guard self.epoch == sent, self.state == .live else { return self.venue.noteLostWhileDown(messages.count - i) }
                if m.lost {
                    self.gap = true
                } else if self.gap {
                    self.venue.noteLostWhileDown(1)
                    self.fail(.sequenceGap(expected: 1, received: 2))
                } else {
                    self.delegate?.orderEventsFeed(self, didReceive: [m.report])
                }
            }
        }
    }

    private func open() {
        guard state != .live, heartbeat?.isCancelled == false else { return }
        venue.trace("feed open")
        epoch += 1
        gap = false
        state = .live
        delegate?.orderEventsFeed(self, didChangeState: .live)
        let snapshot = venue.initialSnapshot()
        if !snapshot.isEmpty { delegate?.orderEventsFeed(self, didReceive: snapshot) }
        delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: snapshot)
    }

    private func fail(_ cause: FeedDisconnectCause) {
        if case .sequenceGap = cause { venue.noteGapReconnect() }
        if case .heartbeatSequenceGap = cause { venue.noteGapReconnect() }
        epoch += 1
        let delay = 100 + Int64(venue.draw() * 900)
        venue.trace("feed down \(cause) reconnect in \(delay)")
        state = .reconnecting(cause: cause, attempt: 1, delayMs: delay)
        delegate?.orderEventsFeed(self, didChangeState: state)
        reconnect = clock.schedule(on: queue, afterMs: delay) { [weak self] in self?.open() }
    }
}
