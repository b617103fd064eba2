import CastorCore
import FlyingFox
import Foundation
import Synchronization

/// The simulator's WebSocket feeds and what they share: the open connections and the
/// WebSocket faults.
///
/// Routes (installed by `SimulatorServer.start()` ahead of REST):
/// - `GET /v1/order/events` — authenticated order events (API.md §6), see `OrderEventsFeed`;
/// - `GET /v2/marketdata` — public L2 books and trades (API.md §7.1), see `MarketDataV2Endpoint`.
///
/// Faults (from `FaultConfig`, switchable at run time with `POST /sim/faults`):
/// - `dropWebSocketsNow`: every open connection is closed (1011) when that config is applied;
/// - `dropWebSocketsEveryMs`: the same, every N ms of the injected clock, counted from when
///   the config was applied;
/// - `skipSocketSequenceEvery`: on v1 feeds, one `socket_sequence` number is skipped after
///   every N numbered messages, so a correct client detects a gap;
/// - `stopHeartbeats`: heartbeats are not sent (nor counted) while set; connections stay open.
///
/// Thread-safe: state behind a `Mutex`; fault changes arrive on `SimulatorCore` in order.
public final class WebSocketFeeds: Sendable {
    private struct State {
        var connections: [UInt64: FeedOutbox] = [:]
        var nextID: UInt64 = 0
        var faults = FaultConfig()
        var dropTimer: Task<Void, Never>?
        var started = false
        var dropCount = 0
        var traces = SplitMix64(seed: 0x7ACE_1D5)
    }

    let core: SimulatorCore
    let log: SimLogSink
    private let state = Mutex(State())

    /// Heartbeat period of every feed, in ms (Gemini: 5 s).
    public static let heartbeatIntervalMs: Int64 = 5_000

    /// Prepares the feeds of `core`; nothing runs until `start()`.
    public init(core: SimulatorCore, log: @escaping SimLogSink = { _ in }) {
        self.core = core
        self.log = log
    }

    /// Starts following the venue's faults. Idempotent.
    public func start() async {
        let first = state.withLock { s -> Bool in
            defer { s.started = true }
            return !s.started
        }
        guard first else { return }
        await core.addFaultObserver { [weak self] faults in self?.apply(faults) }
        apply(await core.currentFaults, initial: true)
    }

    /// Closes every connection and stops the drop timer.
    public func stop() async {
        let (timer, open) = state.withLock { s in
            defer {
                s.dropTimer = nil
                s.connections.removeAll()
            }
            return (s.dropTimer, Array(s.connections.values))
        }
        timer?.cancel()
        for outbox in open { outbox.close(.finished) }
    }

    /// The routes to serve, in order.
    public func routes() -> [(HTTPRoute, any HTTPHandler)] {
        [
            (HTTPRoute("GET /v1/order/events"), OrderEventsFeed(feeds: self)),
            (HTTPRoute("GET /v2/marketdata"), MarketDataV2Endpoint(feeds: self)),
        ]
    }

    /// Open connections across all feeds.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// How many times a drop fault closed the open connections.
    public var dropCount: Int { state.withLock { $0.dropCount } }

    /// The WebSocket faults in force, as last applied.
    var faults: FaultConfig { state.withLock { $0.faults } }

    /// `socket_sequence` numbers to skip on v1 feeds (0 = none).
    var skipSequenceEvery: Int { state.withLock { $0.faults.skipSocketSequenceEvery } }

    /// Whether heartbeats are currently suppressed.
    var heartbeatsStopped: Bool { state.withLock { $0.faults.stopHeartbeats } }

    /// A fresh 20-character trace id in Gemini's style (lower-case base32), for
    /// `subscriptionId` and heartbeats.
    func nextTraceId() -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuv")
        let (a, b) = state.withLock { ($0.traces.next(), $0.traces.next()) }
        var out = ""
        for i in 0..<20 {
            let word: UInt64 = i < 12 ? a >> UInt64(5 * i) : b >> UInt64(5 * (i - 12))
            out.append(alphabet[Int(word & 31)])
        }
        return out
    }

    /// Registers an open connection for the drop faults; returns its id.
    func register(_ outbox: FeedOutbox) -> UInt64 {
        state.withLock { s in
            s.nextID += 1
            s.connections[s.nextID] = outbox
            return s.nextID
        }
    }

    func unregister(_ id: UInt64) {
        _ = state.withLock { $0.connections.removeValue(forKey: id) }
    }

    /// Closes every open connection as if the network dropped it.
    public func dropAll() {
        let open = state.withLock { s in
            s.dropCount += 1
            return Array(s.connections.values)
        }
        for outbox in open { outbox.close(.dropped) }
        log(SimLogRecord(level: .warning, event: "fault.websockets_dropped", fields: [("connections", "\(open.count)")]))
    }

    private func apply(_ faults: FaultConfig, initial: Bool = false) {
        let clock = core.clock
        let period = Int64(faults.dropWebSocketsEveryMs)
        let start = clock.nowMilliseconds()
        // Replaced under the lock so two quick changes can never leave two timers running.
        let oldTimer: Task<Void, Never>? = state.withLock { s in
            let old = s.dropTimer
            s.faults = faults
            s.dropTimer = period > 0 ? Task { [weak self] in
                var next = start + period
                while !Task.isCancelled {
                    do { try await clock.sleep(untilMilliseconds: next) } catch { return }
                    self?.dropAll()
                    next += period
                }
            } : nil
            return old
        }
        oldTimer?.cancel()
        if faults.dropWebSocketsNow, !initial { dropAll() }
    }
}
