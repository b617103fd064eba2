import CastorCore
import CastorEngine
import CastorFeeds
import CastorTrading
import Dispatch

/// The backtest venue's order-events feed: on start (one timer turn later) `.live`, the
/// `initial` snapshot of the venue's working orders and its completion, so the engine
/// reconciles as it does after every Gemini connect; then the venue's events as it
/// publishes them (acknowledgements, fills, cancels), none lost, never dropped.
///
/// Invariant behind `@unchecked Sendable`: confined to the engine queue.
public final class BacktestOrderEvents: OrderEventsFeedAdapter, @unchecked Sendable {
    public weak var delegate: (any OrderEventsFeedDelegate)?
    public private(set) var state: FeedConnectionState = .idle
    private let queue: DispatchQueue
    private let clock: EngineClock
    private let venue: BacktestVenue

    public init(context: EngineFeedContext, venue: BacktestVenue) {
        queue = context.queue
        clock = context.clock
        self.venue = venue
        venue.attach(self)
    }

    public func start() {
        dispatchPrecondition(condition: .onQueue(queue))
        state = .connecting
        clock.schedule(on: queue, afterMs: 0) { [weak self] in
            guard let self, self.state == .connecting else { return }
            self.state = .live
            self.delegate?.orderEventsFeed(self, didChangeState: .live)
            let snapshot = self.venue.initialSnapshot()
            if !snapshot.isEmpty { self.delegate?.orderEventsFeed(self, didReceive: snapshot) }
            self.delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: snapshot)
        }
    }

    public func stop() {
        dispatchPrecondition(condition: .onQueue(queue))
        state = .idle
    }

    /// The venue's events, delivered now (engine queue; never from inside an engine call).
    func publish(_ reports: [OrderReport]) {
        dispatchPrecondition(condition: .onQueue(queue))
        guard state == .live, !reports.isEmpty else { return }
        delegate?.orderEventsFeed(self, didReceive: reports)
    }
}
