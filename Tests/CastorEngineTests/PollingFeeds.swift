import CastorFeeds
import Dispatch
import GeminiProtocol
import GeminiSim
import MarketData

/// A market-data adapter for tests: copies the simulator's book into the engine's books
/// every `intervalMs`, straight from the in-process venue (no WebSocket).
final class PollingMarketData: MarketDataFeedAdapter, @unchecked Sendable {
    weak var delegate: (any MarketDataFeedDelegate)?
    private(set) var state: FeedConnectionState = .idle
    private(set) var startCalls = 0
    private(set) var appliedCount = 0
    private let core: SimulatorCore
    private let books: MarketBooks
    private let queue: DispatchQueue
    private var timer: DispatchSourceTimer?

    init(core: SimulatorCore, books: MarketBooks, queue: DispatchQueue) {
        self.core = core
        self.books = books
        self.queue = queue
    }

    func start() {
        startCalls += 1
        set(.connecting)
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now(), repeating: .milliseconds(200))
        t.setEventHandler { [weak self] in self?.poll() }
        t.activate()
        timer = t
    }

    func stop() {
        timer?.cancel()
        timer = nil
        set(.idle)
    }

    private func set(_ s: FeedConnectionState) {
        state = s
        delegate?.marketDataFeed(self, didChangeState: s)
    }

    private func poll() {
        let core = core
        let names = books.symbolNames
        Task {
            var snaps: [SimBookSnapshot] = []
            for n in names { if let s = await core.withEngine({ $0.book(symbol: n, depth: 10) }) { snaps.append(s) } }
            let all = snaps
            self.queue.async { self.apply(all) }
        }
    }

    private func apply(_ snaps: [SimBookSnapshot]) {
        guard timer != nil else { return }
        for s in snaps {
            guard let id = books.id(of: s.symbol) else { continue }
            let changes = s.bids.map { L2Change(side: .buy, price: $0.price, quantity: $0.amount) }
                + s.asks.map { L2Change(side: .sell, price: $0.price, quantity: $0.amount) }
            books.books.reset(id)
            changes.withUnsafeBufferPointer { books.books.l2Updates(symbol: id, changes: $0, carriesSnapshotExtras: true) }
            if case .live = state {} else { set(.live) }
            delegate?.marketDataFeed(self, didUpdateBook: BookIndex(gemini: id))
            appliedCount += 1
        }
    }
}

/// An order-events adapter for tests that delivers no events but "reconnects" every
/// `intervalMs` with an empty initial snapshot, so the engine learns everything through
/// its reconciliation (status queries, mytrades): the path every real reconnect takes.
/// With `intervalMs` nil it connects once and then stays silent, so the engine learns
/// nothing unless its own REST requests tell it (e.g. the replies to its cancels).
final class ReconnectingOrderEvents: OrderEventsFeedAdapter, @unchecked Sendable {
    weak var delegate: (any OrderEventsFeedDelegate)?
    private(set) var state: FeedConnectionState = .idle
    private(set) var startCalls = 0
    private let queue: DispatchQueue
    private let intervalMs: Int?
    private var timer: DispatchSourceTimer?

    init(queue: DispatchQueue, intervalMs: Int? = 700) {
        self.queue = queue
        self.intervalMs = intervalMs
    }

    func start() {
        startCalls += 1
        set(.connecting)
        set(.live)
        delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: [])
        guard let intervalMs else { return }
        let t = DispatchSource.makeTimerSource(queue: queue)
        t.schedule(deadline: .now() + .milliseconds(intervalMs), repeating: .milliseconds(intervalMs))
        t.setEventHandler { [weak self] in
            guard let self else { return }
            self.set(.reconnecting(cause: .connectionLost("test reconnect"), attempt: 1, delayMs: 0))
            self.set(.live)
            self.delegate?.orderEventsFeed(self, didCompleteInitialSnapshot: [])
        }
        t.activate()
        timer = t
    }

    func stop() {
        timer?.cancel()
        timer = nil
        set(.idle)
    }

    private func set(_ s: FeedConnectionState) {
        state = s
        delegate?.orderEventsFeed(self, didChangeState: s)
    }
}
